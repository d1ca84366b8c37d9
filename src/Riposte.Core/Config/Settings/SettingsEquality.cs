using System.Collections;
using System.Reflection;
using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>
/// Value equality of settings read at different times. The settings records hold lists and dictionaries, which
/// compare by reference (see <see cref="RiposteSettings"/>), so two reads of the same file are never <c>Equals</c>;
/// this compares what they hold. It walks every public property, so a key added to a section later is compared
/// without changing this class.
/// </summary>
public static class SettingsEquality
{
    /// <summary>
    /// True when <paramref name="a"/> and <paramref name="b"/> hold the same settings: Riposte's settings types property
    /// by property, lists in order, dictionaries by key, strings and URIs by their exact text, other values by <c>Equals</c>.
    /// </summary>
    public static bool Same(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null)
        {
            return false;
        }

        switch (a)
        {
            case string text:
                return b is string other && string.Equals(text, other, StringComparison.Ordinal);
            case Uri uri:
                // Uri.Equals ignores the user information and the fragment: a changed credential in a URL is a change.
                return b is Uri otherUri && string.Equals(uri.OriginalString, otherUri.OriginalString, StringComparison.Ordinal);
            case IDictionary dictionary:
                return b is IDictionary otherDictionary && SameDictionary(dictionary, otherDictionary);
            case IEnumerable sequence:
                return b is IEnumerable otherSequence && SameSequence(sequence, otherSequence);
        }

        var type = a.GetType();
        if (type != b.GetType())
        {
            return false;
        }

        if (type.IsPrimitive || type.IsEnum || type.Namespace?.StartsWith("Riposte", StringComparison.Ordinal) != true)
        {
            return a.Equals(b);
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.GetMethod is not null
                && !Same(property.GetValue(a), property.GetValue(b)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The sections of <c>riposte.json</c> (by their key, e.g. <c>api</c>, <c>repeated_offenders</c>) whose settings
    /// differ between <paramref name="before"/> and <paramref name="after"/>, in file-schema order, leaving out
    /// <paramref name="except"/>.
    /// </summary>
    /// <param name="before">The settings in use.</param>
    /// <param name="after">The settings just read.</param>
    /// <param name="except">Section keys not to compare, such as <c>notifications</c> when it is applied live.</param>
    public static IReadOnlyList<string> ChangedSections(RiposteSettings before, RiposteSettings after, params string[] except)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(except);
        var changed = new List<string>();
        foreach (var property in typeof(RiposteSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            if (!except.Contains(key, StringComparer.Ordinal) && !Same(property.GetValue(before), property.GetValue(after)))
            {
                changed.Add(key);
            }
        }

        return changed;
    }

    private static bool SameDictionary(IDictionary a, IDictionary b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (DictionaryEntry entry in a)
        {
            if (!b.Contains(entry.Key) || !Same(entry.Value, b[entry.Key]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameSequence(IEnumerable a, IEnumerable b)
    {
        var left = a.GetEnumerator();
        var right = b.GetEnumerator();
        try
        {
            while (true)
            {
                bool more = left.MoveNext();
                if (more != right.MoveNext())
                {
                    return false;
                }

                if (!more)
                {
                    return true;
                }

                if (!Same(left.Current, right.Current))
                {
                    return false;
                }
            }
        }
        finally
        {
            (left as IDisposable)?.Dispose();
            (right as IDisposable)?.Dispose();
        }
    }
}
