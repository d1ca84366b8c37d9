using System.Buffers;
using System.Text;

namespace Riposte.Matching.OsRegex;

/// <summary>Where a literal alternative has to occur in the subject.</summary>
internal enum OsLiteralAnchor
{
    /// <summary>Anywhere (an empty literal therefore matches everything).</summary>
    Contains,

    /// <summary>At the start.</summary>
    Prefix,

    /// <summary>At the end.</summary>
    Suffix,

    /// <summary>The whole subject.</summary>
    Exact,
}

/// <summary>
/// A pre-folded literal alternative, compared the way Wazuh compares bytes: ASCII letters case-insensitively,
/// everything else exactly.
/// </summary>
/// <remarks>
/// Comparing UTF-16 code units with an ASCII-only fold gives the same answer as Wazuh's byte comparison of the
/// UTF-8 forms, because UTF-8 is self-synchronising and the fold never touches bytes &gt;= 0x80. The
/// ordinal-ignore-case fast path is only taken when both sides are ASCII: for other text .NET also folds
/// letters such as U+0131 or U+017F onto ASCII ones, which Wazuh does not.
/// </remarks>
internal sealed class OsLiteral
{
    /// <summary>Creates a literal; <paramref name="foldedText"/> must already be ASCII-lowercased.</summary>
    internal OsLiteral(string foldedText, OsLiteralAnchor anchor)
    {
        Text = foldedText;
        IsAscii = Ascii.IsValid(foldedText);
        Anchor = anchor;
    }

    /// <summary>The folded literal text.</summary>
    internal string Text { get; }

    /// <summary>Where the literal has to occur.</summary>
    internal OsLiteralAnchor Anchor { get; }

    /// <summary>Whether the literal text is pure ASCII.</summary>
    internal bool IsAscii { get; }

    /// <summary>Whether the literal matches every subject (an empty substring, prefix or suffix).</summary>
    internal bool MatchesEverything => Text.Length == 0 && Anchor != OsLiteralAnchor.Exact;

    /// <summary>Tests the literal against a subject already cut at its first NUL.</summary>
    internal bool IsMatch(ReadOnlySpan<char> subject, bool subjectIsAscii)
    {
        var text = Text.AsSpan();
        if (subjectIsAscii && IsAscii)
        {
            return Anchor switch
            {
                OsLiteralAnchor.Contains => subject.Contains(text, StringComparison.OrdinalIgnoreCase),
                OsLiteralAnchor.Prefix => subject.StartsWith(text, StringComparison.OrdinalIgnoreCase),
                OsLiteralAnchor.Suffix => subject.EndsWith(text, StringComparison.OrdinalIgnoreCase),
                _ => subject.Equals(text, StringComparison.OrdinalIgnoreCase),
            };
        }

        return Anchor switch
        {
            OsLiteralAnchor.Contains => FoldedIndexOf(subject, text) >= 0,
            OsLiteralAnchor.Prefix => subject.Length >= text.Length && FoldedEquals(subject[..text.Length], text),
            OsLiteralAnchor.Suffix => subject.Length >= text.Length && FoldedEquals(subject[^text.Length..], text),
            _ => FoldedEquals(subject, text),
        };
    }

    /// <summary>Lower-cases ASCII letters only, as Wazuh's <c>charmap</c> does.</summary>
    internal static string FoldAscii(string text)
    {
        var firstUpper = text.AsSpan().IndexOfAnyInRange('A', 'Z');
        if (firstUpper < 0)
        {
            return text;
        }

        return string.Create(text.Length, text, static (destination, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                destination[i] = OsCharClasses.Fold(source[i]);
            }
        });
    }

    private static bool FoldedEquals(ReadOnlySpan<char> subject, ReadOnlySpan<char> folded)
    {
        if (subject.Length != folded.Length)
        {
            return false;
        }

        for (var i = 0; i < folded.Length; i++)
        {
            if (OsCharClasses.Fold(subject[i]) != folded[i])
            {
                return false;
            }
        }

        return true;
    }

    private static int FoldedIndexOf(ReadOnlySpan<char> subject, ReadOnlySpan<char> folded)
    {
        if (folded.IsEmpty)
        {
            return 0;
        }

        for (var start = 0; start <= subject.Length - folded.Length; start++)
        {
            if (FoldedEquals(subject.Slice(start, folded.Length), folded))
            {
                return start;
            }
        }

        return -1;
    }
}

/// <summary>
/// The literal alternatives of one pattern, tested together: plain substring literals go through a single
/// vectorised multi-string search when the subject is ASCII.
/// </summary>
internal sealed class OsLiteralSet
{
    private readonly OsLiteral[] _all;
    private readonly OsLiteral[] _others;
    private readonly SearchValues<string>? _substrings;
    private readonly bool _matchesEverything;

    internal OsLiteralSet(IReadOnlyCollection<OsLiteral> literals)
    {
        _all = [.. literals];
        _matchesEverything = literals.Any(l => l.MatchesEverything);

        // Ordinal-ignore-case search is only Wazuh's comparison when both sides are ASCII; the subject is
        // checked per call, the literals here.
        var substrings = literals.Where(IsAsciiSubstring).Select(l => l.Text).Distinct(StringComparer.Ordinal).ToArray();
        _substrings = substrings.Length == 0 ? null : SearchValues.Create(substrings, StringComparison.OrdinalIgnoreCase);
        _others = [.. literals.Where(l => !IsAsciiSubstring(l))];
    }

    /// <summary>Number of literals in the set.</summary>
    internal int Count => _all.Length;

    /// <summary>Whether any literal matches the subject (already cut at its first NUL).</summary>
    internal bool IsMatch(ReadOnlySpan<char> subject, bool subjectIsAscii)
    {
        if (_matchesEverything)
        {
            return true;
        }

        if (!subjectIsAscii)
        {
            foreach (var literal in _all)
            {
                if (literal.IsMatch(subject, subjectIsAscii: false))
                {
                    return true;
                }
            }

            return false;
        }

        if (_substrings is not null && subject.IndexOfAny(_substrings) >= 0)
        {
            return true;
        }

        foreach (var literal in _others)
        {
            if (literal.IsMatch(subject, subjectIsAscii: true))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAsciiSubstring(OsLiteral literal) =>
        literal.Anchor == OsLiteralAnchor.Contains && literal.Text.Length != 0 && literal.IsAscii;
}
