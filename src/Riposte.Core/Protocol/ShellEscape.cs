using System.Text;

namespace Riposte.Protocol;

/// <summary>Wazuh's <c>os_shell_escape</c> for legacy (pre-4.2) string messages.</summary>
public static class ShellEscape
{
    private const string Special = "\\\"'\t;`><|#*[]{}&$!:()";

    /// <summary>Prefixes each shell-special character with a backslash; a pair that is already escaped is kept as is.</summary>
    public static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\' && i + 1 < value.Length && Special.Contains(value[i + 1], StringComparison.Ordinal))
            {
                builder.Append(c).Append(value[i + 1]);
                i++;
                continue;
            }

            if (Special.Contains(c, StringComparison.Ordinal))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
