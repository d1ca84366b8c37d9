using System.Text;
using Riposte.Inputs;

namespace Riposte.Cli.Doctor;

/// <summary>
/// Owner and mode of a file (Core's <see cref="UnixFileStatus"/>), symbolic links followed (the target is what gets run
/// or read). .NET exposes the mode but not the owner.
/// </summary>
/// <param name="Uid">The owner's user id.</param>
/// <param name="Gid">The owner's group id.</param>
/// <param name="Mode">The permission bits (and set-id and sticky bits).</param>
/// <param name="FileType">The <c>S_IFMT</c> bits of the mode.</param>
internal readonly record struct UnixFileFacts(uint Uid, uint Gid, UnixFileMode Mode, int FileType)
{
    /// <summary>The <see cref="FileType"/> of a regular file.</summary>
    public const int RegularFile = 0x8000;

    /// <summary>True for a Unix domain socket.</summary>
    public bool IsSocket => FileType == 0xC000;

    /// <summary>The facts of <paramref name="path"/>; null when it cannot be stat'ed (missing, or not allowed).</summary>
    public static UnixFileFacts? Of(string path)
    {
        try
        {
            // Core's stat (statx, else stat where a seccomp profile blocks statx) is the one the tailer trusts.
            return UnixFileStatus.TryStat(path, out var status)
                ? new UnixFileFacts(status.Uid, status.Gid, (UnixFileMode)(status.Mode & 0xFFF), status.Mode & 0xF000)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> exists (any kind of file): null when this user cannot tell (a directory on the
    /// way is closed to it, like the state's 0700 one), so that a check run as the wrong user does not report "missing".
    /// </summary>
    public static bool? Exists(string path)
    {
        try
        {
            _ = File.GetUnixFileMode(path);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return null;
        }
    }

    /// <summary>This process's effective user id.</summary>
    public static uint EffectiveUid => Execution.LibC.GetEffectiveUid();

    /// <summary><c>rwxr-x---</c>, as <c>ls -l</c> prints the permission bits.</summary>
    public static string Symbolic(UnixFileMode mode)
    {
        var text = new StringBuilder(9);
        foreach (var (bit, letter) in new[]
                 {
                     (UnixFileMode.UserRead, 'r'), (UnixFileMode.UserWrite, 'w'), (UnixFileMode.UserExecute, 'x'),
                     (UnixFileMode.GroupRead, 'r'), (UnixFileMode.GroupWrite, 'w'), (UnixFileMode.GroupExecute, 'x'),
                     (UnixFileMode.OtherRead, 'r'), (UnixFileMode.OtherWrite, 'w'), (UnixFileMode.OtherExecute, 'x'),
                 })
        {
            text.Append((mode & bit) != 0 ? letter : '-');
        }

        if ((mode & UnixFileMode.StickyBit) != 0)
        {
            text[8] = text[8] == 'x' ? 't' : 'T';
        }

        return text.ToString();
    }

    /// <summary>The mode in octal, as chmod takes it (<c>0750</c>).</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');
}
