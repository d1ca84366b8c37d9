using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Riposte.Matching.OsRegex;

/// <summary>
/// A compiled pattern in Wazuh's OSMatch dialect (<c>src/os_regex/os_match_*.c</c>), matching exactly as
/// wazuh-analysisd 4.x does, e.g. for hostname entries of a <c>&lt;white_list&gt;</c>.
/// </summary>
/// <remarks>
/// <para>
/// The dialect has no metacharacters besides these: a leading <c>!</c> negates the whole pattern; <c>|</c>
/// separates alternatives; per alternative a leading <c>^</c> anchors at the start, a trailing <c>$</c> at the
/// end and both together demand equality; otherwise the alternative is a substring. An empty alternative
/// matches everything, as do <c>^</c> and <c>$</c> alone, while <c>^$</c> matches only the empty string.
/// ASCII letters compare case-insensitively; everything else, backslashes and dots included, is literal.
/// </para>
/// <para>
/// Input ends at its first NUL, as a C string would. Instances are immutable and thread-safe, and
/// <see cref="IsMatch"/> does not allocate.
/// </para>
/// </remarks>
public sealed class OsMatchPattern
{
    private readonly OsLiteralSet _alternatives;

    private OsMatchPattern(string pattern, bool isNegated, OsLiteral[] alternatives)
    {
        Pattern = pattern;
        IsNegated = isNegated;
        _alternatives = new OsLiteralSet(alternatives);
    }

    /// <summary>The pattern text as given.</summary>
    public string Pattern { get; }

    /// <summary>Whether the pattern started with <c>!</c>, which inverts the result.</summary>
    public bool IsNegated { get; }

    /// <summary>Number of <c>|</c>-separated alternatives.</summary>
    internal int AlternativeCount => _alternatives.Count;

    /// <summary>Compiles <paramref name="pattern"/> with Wazuh's <c>OSMatch_Compile</c> rules (case-insensitive).</summary>
    /// <param name="pattern">The OSMatch pattern.</param>
    /// <param name="match">The compiled pattern when compilation succeeds.</param>
    /// <param name="error">Why Wazuh would reject the pattern when compilation fails.</param>
    /// <returns><see langword="true"/> when Wazuh would accept the pattern.</returns>
    /// <remarks>Wazuh only rejects a null pattern and one longer than 20480 bytes.</remarks>
    public static bool TryCompile(
        string pattern,
        [NotNullWhen(true)] out OsMatchPattern? match,
        [NotNullWhen(false)] out string? error)
    {
        match = null;
        if (pattern is null)
        {
            error = "The pattern is null (OS_REGEX_PATTERN_NULL).";
            return false;
        }

        var text = OsRegexPattern.TruncateAtNul(pattern.AsSpan());

        // The size limit is checked before the negation marker is stripped, as in Wazuh.
        if (Encoding.UTF8.GetByteCount(text) > OsRegexPattern.MaxPatternBytes)
        {
            error = $"The pattern is longer than {OsRegexPattern.MaxPatternBytes} bytes (OS_REGEX_MAXSIZE).";
            return false;
        }

        var isNegated = !text.IsEmpty && text[0] == '!';
        if (isNegated)
        {
            text = text[1..];
        }

        var folded = OsLiteral.FoldAscii(text.ToString());
        var alternatives = folded.Split('|').Select(CreateAlternative).ToArray();

        match = new OsMatchPattern(pattern, isNegated, alternatives);
        error = null;
        return true;
    }

    /// <summary>Compiles <paramref name="pattern"/>, returning <see langword="null"/> where Wazuh's compiler fails.</summary>
    /// <param name="pattern">The OSMatch pattern.</param>
    /// <returns>The compiled pattern, or <see langword="null"/>.</returns>
    public static OsMatchPattern? CompileOrNull(string pattern) =>
        TryCompile(pattern, out var match, out _) ? match : null;

    /// <summary>Tests <paramref name="input"/> as <c>OSMatch_Execute</c> would.</summary>
    /// <param name="input">The text to test, e.g. a source hostname.</param>
    /// <returns>
    /// Whether any alternative matches, inverted when the pattern is negated.
    /// </returns>
    public bool IsMatch(ReadOnlySpan<char> input)
    {
        var subject = OsRegexPattern.TruncateAtNul(input);
        return _alternatives.IsMatch(subject, Ascii.IsValid(subject)) != IsNegated;
    }

    /// <inheritdoc/>
    public override string ToString() => Pattern;

    // The order of these tests follows OSMatch_Compile: "^" alone is a prefix test with an empty prefix, not an
    // empty alternative, and "$" alone is a suffix test with an empty suffix; both match everything.
    private static OsLiteral CreateAlternative(string segment)
    {
        if (segment.Length >= 2 && segment[0] == '^' && segment[^1] == '$')
        {
            return new OsLiteral(segment[1..^1], OsLiteralAnchor.Exact);
        }

        if (segment.Length == 0)
        {
            return new OsLiteral(segment, OsLiteralAnchor.Contains);
        }

        if (segment[^1] == '$')
        {
            return new OsLiteral(segment[..^1], OsLiteralAnchor.Suffix);
        }

        return segment[0] == '^'
            ? new OsLiteral(segment[1..], OsLiteralAnchor.Prefix)
            : new OsLiteral(segment, OsLiteralAnchor.Contains);
    }
}
