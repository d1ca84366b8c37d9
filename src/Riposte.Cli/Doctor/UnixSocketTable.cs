using System.Globalization;

namespace Riposte.Cli.Doctor;

/// <summary>A bound Unix socket as <c>/proc/net/unix</c> lists it.</summary>
/// <param name="Inode">The socket's inode (what <c>/proc/PID/fd/N</c> links to as <c>socket:[INODE]</c>).</param>
/// <param name="Type">1 stream, 2 datagram, 5 seqpacket.</param>
/// <param name="Path">The path it was bound to, as the binder gave it (relative when bound from a working directory).</param>
internal sealed record UnixSocketEntry(ulong Inode, int Type, string Path);

/// <summary>
/// Who is bound to a Unix socket path, read from <c>/proc</c> without touching the socket: nothing is sent, so a probe can
/// never be taken for a message by the listener (execd runs what it receives).
/// </summary>
internal static class UnixSocketTable
{
    /// <summary>Datagram sockets (<c>SOCK_DGRAM</c>).</summary>
    public const int Datagram = 2;

    /// <summary>The entries of <c>/proc/net/unix</c> bound to <paramref name="fullPath"/>, or to a relative path it ends with.</summary>
    public static IReadOnlyList<UnixSocketEntry> BoundTo(string fullPath, string table = "/proc/net/unix")
    {
        var found = new List<UnixSocketEntry>();
        string[] lines;
        try
        {
            lines = File.ReadAllLines(table);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return found;
        }

        foreach (var line in lines.Skip(1))
        {
            // Num RefCount Protocol Flags Type St Inode Path: the path is everything after the seventh field.
            var fields = line.Split(' ', 8, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 8
                || !int.TryParse(fields[4], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var type)
                || !ulong.TryParse(fields[6], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                continue;
            }

            var path = fields[7];
            // Wazuh's daemons bind "queue/alerts/execq" from their home, so a relative path that ends the full one counts.
            if (path == fullPath || (!path.StartsWith('/') && !path.StartsWith('@') && fullPath.EndsWith("/" + path, StringComparison.Ordinal)))
            {
                found.Add(new UnixSocketEntry(inode, type, path));
            }
        }

        return found;
    }

    /// <summary>The processes holding socket <paramref name="inode"/> open (only those this user may inspect).</summary>
    public static IReadOnlyList<int> Holders(ulong inode)
    {
        var target = $"socket:[{inode.ToString(CultureInfo.InvariantCulture)}]";
        var holders = new List<int>();
        foreach (var directory in SafeEnumerate("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            foreach (var fd in SafeEnumerate(Path.Combine(directory, "fd"), files: true))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget == target)
                    {
                        holders.Add(pid);
                        break;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Closed or the process is gone meanwhile.
                }
            }
        }

        return holders;
    }

    /// <summary>The command name of <paramref name="pid"/> (<c>/proc/PID/comm</c>), or null.</summary>
    public static string? CommandName(int pid) => Read($"/proc/{pid}/comm")?.Trim();

    /// <summary>The argument vector of <paramref name="pid"/> (<c>/proc/PID/cmdline</c>).</summary>
    public static IReadOnlyList<string> Arguments(int pid) =>
        Read($"/proc/{pid}/cmdline") is { } text ? text.Split('\0', StringSplitOptions.RemoveEmptyEntries) : [];

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[] SafeEnumerate(string directory, bool files = false)
    {
        try
        {
            return files ? Directory.GetFiles(directory) : Directory.GetDirectories(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
