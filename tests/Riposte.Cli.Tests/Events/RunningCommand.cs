using System.Diagnostics;
using System.Text;

namespace Riposte.Cli.Events;

/// <summary>A long-running <c>riposte</c> child process (<c>history --follow</c>, <c>top</c>), its stdout collected line by line.</summary>
internal sealed class RunningCommand : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _error = new();

    private RunningCommand(Process process) => _process = process;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Starts <c>riposte ARGS</c>.</summary>
    public static RunningCommand Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "riposte.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var follow = new RunningCommand(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (follow._lines)
                {
                    follow._lines.Add(line);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (follow._error)
            {
                follow._error.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return follow;
    }

    /// <summary>Waits for a line that satisfies <paramref name="condition"/>; fails with what was printed.</summary>
    public Task WaitForLineAsync(Func<string, bool> condition, string what) =>
        TestHome.WaitForAsync(() => Lines.Any(condition), $"{what}; printed so far:\n{string.Join("\n", Lines)}\nstderr:\n{Error}");

    public void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(20_000);
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
