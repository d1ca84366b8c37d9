namespace Riposte.Validation;

/// <summary>
/// Wazuh's <c>is_valid_username</c> (4.14.7+): non-empty, at most 256 characters, not <c>root</c>, not starting with
/// <c>-</c>, <c>+</c> or <c>~</c>, and free of <c>:</c> <c>,</c> white space, slashes and <c>..</c>.
/// </summary>
public static class UserNameRules
{
    /// <summary>The longest accepted name.</summary>
    public const int MaxLength = 256;

    /// <summary>True when a response may act on this account.</summary>
    public static bool IsValid(string? name, out string? reason)
    {
        reason = name switch
        {
            null or "" => "empty user name",
            { Length: > MaxLength } => $"longer than {MaxLength} characters",
            "root" => "'root' is never acted on",
            _ when name[0] is '-' or '+' or '~' => $"starts with '{name[0]}'",
            _ when name.IndexOfAny([':', ',', ' ', '\t', '\r', '\n', '/', '\\']) is var i and >= 0 => $"contains {Describe(name[i])}",
            _ when name.Contains("..", StringComparison.Ordinal) => "contains '..'",
            _ => null,
        };
        return reason is null;
    }

    /// <summary>True when a response may act on this account.</summary>
    public static bool IsValid(string? name) => IsValid(name, out _);

    private static string Describe(char c) => c switch
    {
        ' ' => "a space",
        '\t' => "a tab",
        '\r' or '\n' => "a line break",
        _ => $"'{c}'",
    };
}
