namespace Riposte.Config;

/// <summary>A Wazuh <c>&lt;command&gt;</c> block.</summary>
/// <param name="Name">Command name (case-sensitive; never starts with <c>!</c>).</param>
/// <param name="Executable">File name inside <c>active-response/bin</c>.</param>
/// <param name="TimeoutAllowed">Whether <c>&lt;timeout&gt;</c> is honoured; Wazuh's default is <c>no</c>.</param>
/// <param name="ExtraArgs">The raw <c>&lt;extra_args&gt;</c> text, or null.</param>
/// <param name="Position">Where the block starts.</param>
public sealed record CommandDefinition(string Name, string Executable, bool TimeoutAllowed, string? ExtraArgs, SourcePosition Position)
{
    /// <summary>analysisd reads at most this many bytes of <c>extra_args</c> before splitting.</summary>
    private const int ExtraArgsBufferBytes = 2047;

    /// <summary><c>extra_args</c> as analysisd puts it on the wire: split on single spaces, empty tokens dropped.</summary>
    public IReadOnlyList<string> ExtraArgsList { get; } = SplitExtraArgs(ExtraArgs);

    private static string[] SplitExtraArgs(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return [];
        }

        // strtok works on a fixed buffer: anything past it never reaches the message.
        var bytes = System.Text.Encoding.UTF8.GetBytes(raw);
        if (bytes.Length > ExtraArgsBufferBytes)
        {
            raw = System.Text.Encoding.UTF8.GetString(bytes, 0, ExtraArgsBufferBytes);
        }

        return raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
