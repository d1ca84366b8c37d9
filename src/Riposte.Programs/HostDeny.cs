using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>
/// <c>host-deny</c>: Wazuh's behaviour with its bugs fixed. Add appends <c>ALL:&lt;ip&gt;</c> to <c>/etc/hosts.deny</c>
/// (the environment variable <c>RIPOSTE_HOSTS_DENY</c> names another file, for tests) unless a line is exactly that
/// entry; delete removes exactly that line. IPv6 is written <c>ALL:[ip]</c>. See <see cref="HostsDenyFile"/>.
/// Differences from Wazuh: an existing entry is not an error (Wazuh logs <c>IP ... already exists</c> and exits 255; the
/// same line is logged here, then <c>Ended</c>, exit 0); a missing file is created; the file is replaced atomically
/// (a temporary file in the same directory, flushed, renamed over it, its mode kept), so a reader never sees half a
/// file; the lock is a flock (<c>HOME/var/run/riposte-host-deny.lock</c>) instead of a <c>mkdir</c> directory.
/// </summary>
internal sealed class HostDeny : ResponseProgram
{
    /// <summary>The file TCP wrappers read.</summary>
    public const string DefaultPath = "/etc/hosts.deny";

    /// <summary>Overrides <see cref="DefaultPath"/>.</summary>
    public const string PathVariable = "RIPOSTE_HOSTS_DENY";

    public override string Name => "host-deny";

    public override IReadOnlyList<string> GetKeys(ResponseContext context) => [context.RequireSourceIp()];

    public override async Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var (ip, version, path) = Target(context);
        using var held = await context.LockAsync("host-deny", cancellationToken).ConfigureAwait(false);
        var content = await ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        var updated = HostsDenyFile.Add(content, HostsDenyFile.Entry(ip, version));
        if (updated is null)
        {
            return ResponseOutcome.EndedWith($"IP {ip} already exists on '{path}'");
        }

        await ReplaceAsync(context, path, updated, cancellationToken).ConfigureAwait(false);
        return ResponseOutcome.Ended;
    }

    public override async Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var (ip, version, path) = Target(context);
        using var held = await context.LockAsync("host-deny", cancellationToken).ConfigureAwait(false);
        var content = await ReadAsync(context, path, cancellationToken).ConfigureAwait(false);
        var updated = HostsDenyFile.Remove(content, HostsDenyFile.EntriesToRemove(ip, version));
        if (updated is null)
        {
            return ResponseOutcome.EndedWith($"IP {ip} is not on '{path}'");
        }

        await ReplaceAsync(context, path, updated, cancellationToken).ConfigureAwait(false);
        return ResponseOutcome.Ended;
    }

    private static (string Ip, int Version, string Path) Target(ResponseContext context)
    {
        var ip = context.Keys[0];
        var path = context.GetEnvironmentVariable(PathVariable) is { Length: > 0 } custom ? custom : DefaultPath;

        // A symlinked hosts.deny is edited where it points, so the rename does not replace the link with a file.
        var link = new FileInfo(path);
        if (link.LinkTarget is not null && link.ResolveLinkTarget(returnFinalTarget: true) is { } target)
        {
            path = target.FullName;
        }

        return (ip, WazuhValidation.GetIpVersion(ip)!.Value, path);
    }

    private static async Task<string> ReadAsync(ResponseContext context, string path, CancellationToken cancellationToken)
    {
        try
        {
            return HostsDenyFile.Bytes.GetString(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
        }
        catch (FileNotFoundException)
        {
            return string.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.WriteLog(e.Message);
            throw new ResponseException($"Could not open file '{path}'", e);
        }
    }

    private static async Task ReplaceAsync(ResponseContext context, string path, string content, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.riposte-{Environment.ProcessId}.tmp");
        try
        {
            var mode = File.Exists(path)
                ? File.GetUnixFileMode(path)
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode };
            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(HostsDenyFile.Bytes.GetBytes(content), cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            // The umask may have narrowed the mode at creation.
            File.SetUnixFileMode(temporary, mode);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.WriteLog(e.Message);
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more can be done; the temporary name is unique to this process.
            }

            throw new ResponseException($"Unable to write file '{path}'", e);
        }
    }
}
