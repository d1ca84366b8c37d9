using Riposte.Protocol.Execd;
using Riposte.Protocol.Json;

namespace Riposte.Cli.ScriptTest;

/// <summary>
/// A program's control line judged as execd judges it (the helper library's validator: number <c>version</c>, object
/// <c>origin</c>, string <c>command</c>, object <c>parameters</c>; then <c>check_keys</c> and a keys array), but naming
/// the first thing that is wrong instead of silently dropping the keys.
/// </summary>
/// <param name="Problem">The first violation, or null; <see cref="Findings.KeysEmpty"/> is a warning on a usable line.</param>
/// <param name="Detail">What exactly was wrong.</param>
/// <param name="Keys">The keys execd takes (string keys only); empty when the line contributes none.</param>
/// <param name="IsCheckKeys">True when execd builds the rkey from this line.</param>
internal sealed record ControlLineCheck(FindingKind? Problem, string? Detail, IReadOnlyList<string> Keys, bool IsCheckKeys)
{
    /// <summary>Checks <paramref name="line"/> (without its line ending).</summary>
    public static ControlLineCheck Check(ReadOnlySpan<byte> line)
    {
        if (!CJsonNode.TryParse(line, out var node, out var error))
        {
            return Fail(Findings.BadJson, line.IsEmpty ? "the line is empty" : $"not JSON: {error}");
        }

        if (node is not CJsonObject root)
        {
            return Fail(Findings.BadJson, $"it is {Describe(node)}");
        }

        if (root.Get("version") is not CJsonNumber)
        {
            return Fail(Findings.VersionNotNumber, Found("version", root.Get("version")));
        }

        if (root.Get("origin") is not CJsonObject)
        {
            return Fail(Findings.OriginNotObject, Found("origin", root.Get("origin")));
        }

        if (root.Get("command") is not CJsonString command)
        {
            return Fail(Findings.CommandNotString, Found("command", root.Get("command")));
        }

        if (root.Get("parameters") is not CJsonObject parameters)
        {
            return Fail(Findings.ParametersNotObject, Found("parameters", root.Get("parameters")));
        }

        if (command.Value != "check_keys")
        {
            return Fail(Findings.NotCheckKeys, $"'command' is \"{command.Value}\"");
        }

        if (parameters.Get("keys") is not CJsonArray keys)
        {
            return Fail(Findings.KeysNotArray, Found("parameters.keys", parameters.Get("keys")));
        }

        // The keys themselves come from the engine's parser, so what is reported is exactly what the engine would use.
        var parsed = ControlLine.Parse(line);
        var bad = keys.Items.Select((k, i) => (k, i)).Where(p => p.k is not CJsonString).ToList();
        if (bad.Count > 0)
        {
            var which = string.Join(", ", bad.Select(p => $"key {p.i + 1} is {Describe(p.k)}"));
            return new ControlLineCheck(Findings.KeysNotStrings, which, parsed.Keys, true);
        }

        return keys.Count == 0
            ? new ControlLineCheck(Findings.KeysEmpty, null, parsed.Keys, true)
            : new ControlLineCheck(null, null, parsed.Keys, true);
    }

    /// <summary>True when execd gets usable keys from this line (a warning may still apply).</summary>
    public bool IsUsable => IsCheckKeys && (Problem is null || Problem.Severity == FindingSeverity.Warning);

    private static ControlLineCheck Fail(FindingKind kind, string detail) => new(kind, detail, [], false);

    private static string Found(string name, CJsonNode? value) =>
        value is null ? $"'{name}' is missing" : $"'{name}' is {Describe(value)}";

    private static string Describe(CJsonNode node) => node switch
    {
        CJsonString s => $"the string \"{Shorten(s.Value)}\"",
        CJsonNumber n => $"the number {CJsonNumberFormatter.Format(n.Value)}",
        CJsonBool b => b.Value ? "true" : "false",
        CJsonNull => "null",
        CJsonArray => "an array",
        CJsonObject => "an object",
        _ => "not a plain JSON value",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
