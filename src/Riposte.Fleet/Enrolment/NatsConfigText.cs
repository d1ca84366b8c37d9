using System.Globalization;
using System.Text;

namespace Riposte.Fleet.Enrolment;

/// <summary>How values go into a nats-server configuration file.</summary>
internal static class NatsConfigText
{
    /// <summary>
    /// A double-quoted string in nats-server's configuration syntax. Inside double quotes the lexer knows the escapes
    /// <c>\\</c> and <c>\"</c>, does no <c>$variable</c> substitution and ends no value at <c>#</c>, <c>;</c> or <c>}</c>;
    /// control characters (a newline would end the value) are refused rather than escaped.
    /// </summary>
    /// <exception cref="ArgumentException">The value has a control character.</exception>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                throw new ArgumentException($"a nats-server configuration value cannot hold control character U+{(int)c:X4}", nameof(value));
            }

            if (c is '"' or '\\')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        return text.Append('"').ToString();
    }

    /// <summary>A list of quoted strings: <c>["a", "b"]</c>.</summary>
    public static string QuoteList(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Quote)) + "]";

    /// <summary>A NATS subject for a permission list: tokens of <c>[A-Za-z0-9_$-]</c>, <c>*</c> or a final <c>&gt;</c>.</summary>
    public static bool IsPermissionSubject(string subject)
    {
        var tokens = subject.Split('.');
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            if (token is "*" || (token is ">" && i == tokens.Length - 1))
            {
                continue;
            }

            if (token.Length == 0 || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A byte size as nats-server reads it (<c>1GB</c>, <c>256MB</c>, or plain bytes).</summary>
    public static string Size(long bytes)
    {
        const long Mb = 1024 * 1024;
        const long Gb = 1024 * Mb;
        return bytes % Gb == 0 ? (bytes / Gb).ToString(CultureInfo.InvariantCulture) + "GB"
            : bytes % Mb == 0 ? (bytes / Mb).ToString(CultureInfo.InvariantCulture) + "MB"
            : bytes.ToString(CultureInfo.InvariantCulture);
    }
}
