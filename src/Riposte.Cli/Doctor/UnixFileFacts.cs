using System.Runtime.InteropServices;
using System.Text;

namespace Riposte.Cli.Doctor;

/// <summary>
/// Owner and mode of a file, from <c>statx</c>, symbolic links followed (the target is what gets run or read). .NET
/// exposes the mode but not the owner.
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

    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>The facts of <paramref name="path"/>; null when it cannot be stat'ed (missing, or statx unavailable).</summary>
    public static UnixFileFacts? Of(string path)
    {
        var buffer = new byte[256];
        int result;
        try
        {
            result = Statx(AtFdCwd, Encoding.UTF8.GetBytes(path + "\0"), 0, StatxBasicStats, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        if (result != 0)
        {
            return null;
        }

        // struct statx (linux/stat.h): stx_uid u32 @20, stx_gid u32 @24, stx_mode u16 @28.
        var mode = BitConverter.ToUInt16(buffer, 28);
        return new UnixFileFacts(BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt32(buffer, 24), (UnixFileMode)(mode & 0xFFF), mode & 0xF000);
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
    public static uint EffectiveUid => GetEuid();

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

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, byte[] pathname, int flags, uint mask, byte[] statxbuf);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();
}
