using Riposte.Config;
using Riposte.Protocol.Execd;

namespace Riposte.Cli.Daemon;

/// <summary>Whether execd could run a configured response's program.</summary>
internal enum ProgramState
{
    /// <summary>A regular file with an execute bit.</summary>
    Runnable,

    /// <summary>No file under <c>HOME/active-response/bin</c> (execd then skips the response silently).</summary>
    Missing,

    /// <summary>The file is there but no execute bit is set: every run fails.</summary>
    NotExecutable,

    /// <summary>The path is a directory or another kind of file.</summary>
    NotAFile,

    /// <summary>The executable names a parent folder (<c>..</c>): execd refuses it.</summary>
    Refused,
}

/// <summary>One configured response and its program.</summary>
/// <param name="Response">The AR name (<c>firewall-drop600</c>).</param>
/// <param name="Executable">The executable as configured (<c>firewall-drop</c>).</param>
/// <param name="ProgramFile">The file execd runs, <c>HOME/active-response/bin/EXECUTABLE</c>.</param>
/// <param name="State">Whether it can run.</param>
/// <param name="TimeoutAllowed">True when the command may be undone after a timeout (a stateful program).</param>
internal sealed record ResponseProgram(string Response, string Executable, string ProgramFile, ProgramState State, bool TimeoutAllowed);

/// <summary>
/// The configured responses and the state of each one's program, for <c>serve</c>'s start-up warnings and
/// <c>riposte doctor</c>. Judged by mode bits, not <c>access()</c>: as root <c>access(X_OK)</c> says yes when any execute
/// bit is set, which is what exec does too, but it also says yes to read and write whatever the mode.
/// </summary>
internal static class ResponsePrograms
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// A manager's responses come from the configuration's active-response blocks; an agent's from the ar.conf its
    /// manager pushed (HOME/etc/shared/ar.conf), as execd reads them.
    /// </summary>
    public static IReadOnlyList<ResponseProgram> Of(RiposteHome home, WazuhConfig config, ConfigRole role)
    {
        if (role == ConfigRole.Manager)
        {
            // Blocks with the same AR name are one ar.conf line: one response.
            return [.. config.ActiveResponses
                .Where(r => r.Executable is not null)
                .DistinctBy(r => r.Name)
                .Select(r => Describe(home.Home, r.Name, r.Executable!, r.Command!.TimeoutAllowed))];
        }

        // Only a regular file of sane size: a FIFO there must not block serve's start (EngineFactory reports the refusal).
        var arConf = Path.Combine(home.Home, "etc", "shared", "ar.conf");
        if (Doctor.UnixFileFacts.Of(arConf) is not { FileType: Doctor.UnixFileFacts.RegularFile } || new FileInfo(arConf).Length > ConfigLimits.MaxFileBytes)
        {
            return [];
        }

        string text;
        try
        {
            text = File.ReadAllText(arConf);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return [.. ArCommandTable.ParseArConf(text)
            .DistinctBy(line => line.Name)
            .Select(line => Describe(home.Home, line.Name, line.Executable, line.Timeout > 0))];
    }

    /// <summary>The state of <paramref name="executable"/> under <paramref name="home"/>.</summary>
    public static ResponseProgram Describe(string home, string response, string executable, bool timeoutAllowed)
    {
        // The same concatenation execd (and ArCommandTable) uses, so an absolute executable is judged as it would run.
        var file = $"{home}/{ArCommandTable.BinDirectory}/{executable}";
        ProgramState state;
        if (executable.Contains("..", StringComparison.Ordinal))
        {
            state = ProgramState.Refused;
        }
        else if (Directory.Exists(file))
        {
            state = ProgramState.NotAFile;
        }
        else if (!File.Exists(file))
        {
            state = ProgramState.Missing;
        }
        else
        {
            // GetUnixFileMode follows a symbolic link, as exec does.
            state = (File.GetUnixFileMode(file) & AnyExecute) == 0 ? ProgramState.NotExecutable : ProgramState.Runnable;
        }

        return new ResponseProgram(response, executable, file, state, timeoutAllowed);
    }

    /// <summary>The problem in a few words, for logs and the doctor; null for a runnable program.</summary>
    public static string? Problem(ResponseProgram program) => program.State switch
    {
        ProgramState.Missing => $"program {program.ProgramFile} is missing",
        ProgramState.NotExecutable => $"program {program.ProgramFile} is not executable (no execute bit)",
        ProgramState.NotAFile => $"program {program.ProgramFile} is not a regular file",
        ProgramState.Refused => $"executable '{program.Executable}' names a parent folder (..); execd refuses it",
        _ => null,
    };
}
