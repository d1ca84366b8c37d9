using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Riposte.Execution;
using Riposte.Inputs;

namespace Riposte.State;

/// <summary>
/// Reads a one-line secret (the API token, an SMTP password) the way a root daemon must: opened with
/// <c>O_NOFOLLOW</c> (a symlink planted or swapped in is refused, never followed), then checked on the open file
/// itself: a regular file, owned by this process's user, with no group or other access, at most 4 KiB, one token.
/// </summary>
public static class SecretFile
{
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int MaxBytes = 4096;

    /// <summary>The secret in <paramref name="path"/> (trimmed), or null with <paramref name="error"/> saying why it is not fit to use.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for the messages, e.g. <c>the API token file</c>.</param>
    /// <param name="error">Why the file was refused.</param>
    public static string? Read(string path, string what, out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        error = null;
        var fd = LibC.Open(LibC.PathBytes(path), LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK | LibC.O_NOCTTY, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            error = errno switch
            {
                LibC.ELOOP => $"{what} {path} is a symlink; point at the file itself",
                LibC.ENOENT => $"{what} {path} does not exist (create it with mode 0600, e.g. `head -c 32 /dev/urandom | base64 > {path}; chmod 600 {path}`)",
                _ => $"cannot open {what} {path}: {LibC.StrError(errno)}",
            };
            return null;
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var status = UnixFileStatus.FromHandle(handle);
        if ((status.Mode & FileTypeMask) != RegularFile)
        {
            error = $"{what} {path} is not a regular file";
            return null;
        }

        if ((status.Mode & 0x3F) != 0)
        {
            error = $"{what} {path} has mode {Convert.ToString(status.Mode & 0xFFF, 8).PadLeft(4, '0')}: group or others can access it; run `chmod 600 {path}`";
            return null;
        }

        var uid = LibC.GetEffectiveUid();
        if (status.Uid != uid)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"{what} {path} is owned by uid {status.Uid}, not by the daemon's user (uid {uid})");
            return null;
        }

        if (status.Size > MaxBytes)
        {
            error = $"{what} {path} is larger than {MaxBytes} bytes; it should hold one line";
            return null;
        }

        var buffer = new byte[MaxBytes];
        var read = RandomAccess.Read(handle, buffer, 0);
        var text = Encoding.UTF8.GetString(buffer, 0, read).Trim();
        if (text.Length == 0)
        {
            error = $"{what} {path} is empty";
            return null;
        }

        if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            error = $"{what} {path} must hold one token on one line (no spaces or control characters)";
            return null;
        }

        return text;
    }
}
