namespace Riposte.Sdk;

/// <summary>
/// Where the Wazuh installation is, found as Wazuh's helper finds it before it changes directory there: the part of
/// the program's path before <c>active-response/</c>. execd and Riposte start programs as
/// <c>active-response/bin/&lt;name&gt;</c> with the home as working directory, so the home is then the current directory.
/// </summary>
public static class WazuhHome
{
    private const string Marker = "active-response/";

    /// <summary>
    /// The home for a program invoked as <paramref name="argv0"/> from <paramref name="currentDirectory"/>: the part of
    /// <paramref name="argv0"/> before <c>active-response/</c> (relative to the current directory); else the same taken
    /// from <paramref name="executablePath"/> (the real path of the running file); else the current directory.
    /// </summary>
    public static string Resolve(string argv0, string currentDirectory, string? executablePath = null)
    {
        ArgumentNullException.ThrowIfNull(argv0);
        ArgumentException.ThrowIfNullOrEmpty(currentDirectory);
        return Before(argv0, currentDirectory) ?? (executablePath is null ? null : Before(executablePath, currentDirectory)) ?? currentDirectory;
    }

    /// <summary><see cref="Resolve"/> for the running process (<c>/proc/self/exe</c>, <see cref="Environment.CurrentDirectory"/>).</summary>
    public static string ResolveForProcess(string argv0) => Resolve(argv0, Environment.CurrentDirectory, ExecutablePath());

    /// <summary>The program's <c>argv[0]</c> exactly as it was given (the first string of <c>/proc/self/cmdline</c>).</summary>
    public static string ProcessArgv0()
    {
        try
        {
            var cmdline = File.ReadAllBytes("/proc/self/cmdline");
            var end = Array.IndexOf(cmdline, (byte)0);
            var argv0 = System.Text.Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end);
            if (argv0.Length > 0)
            {
                return argv0;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Environment.GetCommandLineArgs() is [var first, ..] ? first : Environment.ProcessPath ?? "riposte-ar";
    }

    private static string? ExecutablePath()
    {
        try
        {
            return new FileInfo("/proc/self/exe").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Environment.ProcessPath;
        }
        catch (IOException)
        {
            return Environment.ProcessPath;
        }
    }

    private static string? Before(string path, string currentDirectory)
    {
        var at = 0;
        while ((at = path.IndexOf(Marker, at, StringComparison.Ordinal)) >= 0)
        {
            if (at == 0)
            {
                return currentDirectory;
            }

            if (path[at - 1] == '/')
            {
                var prefix = Path.GetFullPath(path[..at], currentDirectory);
                return prefix.Length > 1 ? prefix.TrimEnd('/') : prefix;
            }

            at += Marker.Length;
        }

        return null;
    }
}
