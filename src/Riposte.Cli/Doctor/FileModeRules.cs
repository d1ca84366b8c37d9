namespace Riposte.Cli.Doctor;

/// <summary>
/// The permission rules shared by the checks, on mode bits and owner ids rather than <c>access()</c>: Riposte runs as
/// root, for which <c>access()</c> allows nearly everything, so only the bits say who else can change or read a file.
/// </summary>
internal static class FileModeRules
{
    private const UnixFileMode OtherAny = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Problems of a path Riposte runs or trusts (directories of the home, programs): world-writable fails (any local
    /// user could replace what root runs); group-writable or owned by another ordinary user warns. Null when fine.
    /// </summary>
    public static CheckResult? Trusted(string check, string subject, string path, UnixFileFacts facts, bool isDirectory)
    {
        var kind = isDirectory ? "directory" : "file";
        var mode = UnixFileFacts.Symbolic(facts.Mode);
        if ((facts.Mode & UnixFileMode.OtherWrite) != 0)
        {
            return CheckResult.Fail(check, subject, $"{kind} is world-writable ({mode}): any local user can replace or plant files that Riposte and its programs use as root",
                $"chmod o-w {path}");
        }

        if (facts.Uid != 0 && facts.Uid != UnixFileFacts.EffectiveUid)
        {
            return CheckResult.Warn(check, subject, $"{kind} is owned by uid {facts.Uid}, neither root nor the user running this check: that user can change it",
                $"chown root {path}");
        }

        if ((facts.Mode & UnixFileMode.GroupWrite) != 0)
        {
            return CheckResult.Warn(check, subject, $"{kind} is group-writable ({mode}): members of gid {facts.Gid} can change what Riposte runs as root",
                $"chmod g-w {path}");
        }

        return null;
    }

    /// <summary>Problems of Riposte's private state (its directory and files): any access for others fails. Null when fine.</summary>
    public static CheckResult? Private(string check, string subject, string path, UnixFileFacts facts, bool isDirectory)
    {
        var mode = UnixFileFacts.Symbolic(facts.Mode);
        if ((facts.Mode & OtherAny) != 0)
        {
            return CheckResult.Fail(check, subject,
                $"{(isDirectory ? "state directory" : "state file")} is open to every local user ({mode}); it holds alert contents (addresses, user names)",
                $"chmod {(isDirectory ? "700" : "600")} {path}");
        }

        if (facts.Uid != 0 && facts.Uid != UnixFileFacts.EffectiveUid)
        {
            return CheckResult.Warn(check, subject, $"owned by uid {facts.Uid}, neither root nor the user running this check", $"chown root {path}");
        }

        return null;
    }

    /// <summary>How a file's mode and owner read in a passing line: <c>rwxr-x--- uid 0</c>.</summary>
    public static string Describe(UnixFileFacts facts) => $"{UnixFileFacts.Symbolic(facts.Mode)} uid {facts.Uid}";
}
