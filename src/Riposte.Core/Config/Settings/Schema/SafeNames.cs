namespace Riposte.Config.Settings;

/// <summary>Node, group and label names: they end up in NATS names, file names and log lines, so the charset is small.</summary>
internal static class SafeNames
{
    /// <summary>Longest node, group or label name.</summary>
    public const int MaxLength = 64;

    /// <summary>Letters, digits, <c>_</c>, <c>-</c> (and <c>.</c> when allowed), at most <see cref="MaxLength"/>.</summary>
    public static bool IsValid(string text, bool allowDot) =>
        text.Length is > 0 and <= MaxLength
        && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (allowDot && c == '.'));

    /// <summary>The rule in words, for an error naming <paramref name="what"/>.</summary>
    public static string Rule(string what, bool allowDot) =>
        $"{what} (1 to {MaxLength} ASCII letters, digits, {(allowDot ? "'.', " : "")}'_' and '-')";
}
