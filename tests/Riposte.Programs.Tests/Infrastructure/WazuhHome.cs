namespace Riposte.Programs.Tests;

/// <summary>
/// A throw-away Wazuh home: <c>active-response/bin/NAME</c> is a copy of <c>riposte-ar</c> (how the multi-call
/// binary is installed) and <c>logs/</c> receives the programs' <c>active-responses.log</c>.
/// </summary>
public sealed class WazuhHome : IDisposable
{
    private WazuhHome(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public string LogFile => System.IO.Path.Combine(Path, "logs", "active-responses.log");

    public static async Task<WazuhHome> CreateAsync(RiposteArBinary binary, params string[] programs)
    {
        await Abandoned.SweepOnceAsync();
        var source = await binary.GetPathAsync();
        var home = new WazuhHome(Directory.CreateTempSubdirectory(Abandoned.Prefix + "home-").FullName);
        var bin = System.IO.Path.Combine(home.Path, "active-response", "bin");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(System.IO.Path.Combine(home.Path, "logs"));
        foreach (var name in programs)
        {
            var target = System.IO.Path.Combine(bin, name);
            File.Copy(source, target);
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }

        return home;
    }

    public string[] LogLines() => File.Exists(LogFile) ? File.ReadAllLines(LogFile) : [];

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
