using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>
/// What binding one <c>riposte.json</c> shares: where each path is in the file, the diagnostics found so far, and the
/// notification names that <c>notify</c> lists are checked against once the whole file has been read.
/// </summary>
internal sealed class SettingsContext(SourceMap map, JsonPositionIndex index, List<ConfigDiagnostic> diagnostics)
{
    /// <summary>Each notification name, with the path of the entry that defined it first.</summary>
    public Dictionary<string, string> NotificationNames { get; } = new(StringComparer.Ordinal);

    /// <summary>Every name a <c>notify</c> list gives, with its path; checked last, as a target may come further down.</summary>
    public List<(string Name, string Path)> NotifyReferences { get; } = [];

    /// <summary>The path of <c>api.token_file</c> when it is set and <c>api.listen</c> is not (judged once both listeners are read).</summary>
    public string? TokenFileWithoutApiListen { get; set; }

    /// <summary>True when <c>metrics.listen</c> is set (valid or not: an invalid one is an error of its own).</summary>
    public bool MetricsListenSet { get; set; }

    /// <summary>How many errors have been reported so far.</summary>
    public int ErrorCount => diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>The properties of an object in file order, each name once.</summary>
    public static IEnumerable<SettingProperty> Properties(JsonElement value, string path)
    {
        // a repeated key is reported by the position pass; only its first occurrence is bound, matching the index
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (seen.Add(property.Name))
            {
                yield return new SettingProperty(property.Name, property.Value, JsonPositionIndex.Child(path, property.Name));
            }
        }
    }

    /// <summary>True for an object; otherwise reports that one was expected.</summary>
    public bool IsObject(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            return true;
        }

        TypeError(value, path, "an object");
        return false;
    }

    /// <summary>Reports a key no section declares, with the known key it most resembles or, failing that, all of them.</summary>
    public void UnknownKey(SettingProperty p, string section, IReadOnlyList<string> known)
    {
        string where = section.Length == 0 ? "at the top level" : $"in {section}";
        string? guess = KeySuggestion.Closest(p.Name, known);
        string hint = guess is null ? $"expected one of {string.Join(", ", known)}" : $"did you mean \"{guess}\"?";
        ErrorAtName(p.Path, $"unknown key \"{p.Name}\" {where}; {hint}");
    }

    /// <summary>Reports a value of the wrong JSON type.</summary>
    public void TypeError(JsonElement value, string path, string expected)
    {
        string actual = value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };
        string subject = path.Length == 0 ? "the top level" : path;
        Error(path, $"{subject} must be {expected}, not {actual}");
    }

    /// <summary>Reports an error at the value and gives nothing, for a reader refusing what it read.</summary>
    public Bound<T> Refuse<T>(string path, string message)
    {
        Error(path, message);
        return default;
    }

    /// <summary>An error at the value of <paramref name="path"/>.</summary>
    public void Error(string path, string message) =>
        Add(DiagnosticSeverity.Error, index.ValueOffset(path), message);

    /// <summary>An error at the name of <paramref name="path"/>, for problems with the key itself.</summary>
    public void ErrorAtName(string path, string message) =>
        Add(DiagnosticSeverity.Error, index.NameOffset(path), message);

    /// <summary>A warning at the value of <paramref name="path"/>.</summary>
    public void Warning(string path, string message) =>
        Add(DiagnosticSeverity.Warning, index.ValueOffset(path), message);

    /// <summary>A warning at the name of <paramref name="path"/>, for a key that is set but has no effect.</summary>
    public void WarningAtName(string path, string message) =>
        Add(DiagnosticSeverity.Warning, index.NameOffset(path), message);

    private void Add(DiagnosticSeverity severity, long offset, string message) =>
        diagnostics.Add(new ConfigDiagnostic(severity, map.At(offset), null, message));
}

/// <summary>One property of a JSON object, with the path diagnostics name it by.</summary>
internal readonly record struct SettingProperty(string Name, JsonElement Value, string Path)
{
    /// <summary>True when the value is JSON <c>null</c>.</summary>
    public bool IsNull => Value.ValueKind == JsonValueKind.Null;
}

/// <summary>What a reader made of a value: the value, or nothing when it was refused (already reported) or skipped.</summary>
internal readonly record struct Bound<T>(bool Ok, T Value);

/// <summary>Makes <see cref="Bound{T}"/> values without spelling the type.</summary>
internal static class Bound
{
    /// <summary>A value that was read.</summary>
    public static Bound<T> Of<T>(T value) => new(true, value);
}
