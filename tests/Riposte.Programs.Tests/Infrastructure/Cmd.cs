using System.Diagnostics;

namespace Riposte.Programs.Tests;

/// <summary>What a finished command printed and returned.</summary>
public sealed record CmdResult(IReadOnlyList<string> Argv, int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;

    public override string ToString() =>
        $"`{string.Join(' ', Argv)}` exited {ExitCode}\nstdout: {Stdout.TrimEnd()}\nstderr: {Stderr.TrimEnd()}";
}

/// <summary>Runs helper commands (ip, nft, iptables, passwd...) with their output captured and a time limit.</summary>
public static class Cmd
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <param name="cleanup">Ignores the test's cancellation, so teardown still runs after a cancelled or failed test.</param>
    public static async Task<CmdResult> RunAsync(IReadOnlyList<string> argv, string? stdin = null, TimeSpan? timeout = null, bool cleanup = false)
    {
        var cancellation = cleanup ? CancellationToken.None : TestContext.Current.CancellationToken;
        var start = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {argv[0]}");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout ?? DefaultTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), limit.Token);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(limit.Token);
            return new CmdResult(argv, process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{string.Join(' ', argv)}` did not finish within {(timeout ?? DefaultTimeout).TotalSeconds} s");
        }
    }

    public static Task<CmdResult> RunAsync(params string[] argv) => RunAsync((IReadOnlyList<string>)argv);

    /// <summary>Runs a command that must succeed and returns its stdout.</summary>
    public static async Task<string> MustAsync(params string[] argv)
    {
        var result = await RunAsync(argv);
        return result.Ok ? result.Stdout : throw new InvalidOperationException(result.ToString());
    }
}
