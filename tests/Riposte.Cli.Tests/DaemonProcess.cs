using System.Diagnostics;
using System.Text;

namespace Riposte;

/// <summary>A real <c>riposte serve</c> child process, with its stderr collected.</summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private DaemonProcess(Process process)
    {
        _process = process;
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static DaemonProcess Start(params string[] args) => Start([], args);

    /// <summary>Starts <c>riposte agent</c> (a fleet agent) with <paramref name="args"/>.</summary>
    public static DaemonProcess StartAgent(params string[] args) => Start([], args, "agent");

    /// <summary>
    /// Starts the daemon with umask 000 (process-wide, so a child rather than this test process). The shell only sets
    /// the umask and execs its positional arguments: no data is part of the script.
    /// </summary>
    public static DaemonProcess StartWithUmask000(params string[] args) => Start(["/bin/sh", "-c", "umask 000; exec \"$@\"", "sh"], args);

    private static DaemonProcess Start(string[] launcher, string[] args, string command = "serve")
    {
        var start = new ProcessStartInfo(launcher.Length > 0 ? launcher[0] : "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var word in launcher.Skip(1).Concat(launcher.Length > 0 ? ["dotnet"] : []))
        {
            start.ArgumentList.Add(word);
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "riposte.dll"));
        start.ArgumentList.Add(command);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var daemon = new DaemonProcess(process);
        process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return daemon;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>SIGKILL: no cleanup at all, like a crash.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Sends a signal (SIGTERM, SIGHUP) the way an init system would.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>SIGTERM straight through kill(2), cheap enough to send in a tight loop; a process already gone is ignored.</summary>
    public void Terminate() => _ = kill(_process.Id, 15);

    [System.Runtime.InteropServices.DllImport("libc.so.6")]
    private static extern int kill(int pid, int signal);

    public async Task<int> WaitForExitAsync(int timeoutMs = 20_000)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(timeoutMs);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }
}
