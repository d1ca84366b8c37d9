using System.Diagnostics;
using Riposte.Execution;

namespace Riposte.Bench;

/// <summary>
/// The baselines for the execution benchmarks: programs run with nothing around them (no parsing, no state, no audit,
/// no time limits, no output capture), through the same <see cref="ProgramLauncher"/> the engine uses, so the
/// difference is the engine's own cost and not a different way of spawning.
/// </summary>
internal static class PlainRuns
{
    // Nothing read back: stdout and stderr go to /dev/null, as cheap as running a program gets.
    private static readonly LaunchOptions Quiet = new(OutputTarget.Null, OutputTarget.Null);

    // execd's add wiring: stdout piped for the control line, stderr to /dev/null.
    private static readonly LaunchOptions Handshake = new(OutputTarget.Pipe, OutputTarget.Null);

    /// <summary>Runs <paramref name="body"/> for indexes 0..count-1 with <paramref name="workers"/> in flight; returns the seconds taken.</summary>
    public static double Loop(int count, int workers, Func<int, Task> body)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            tasks[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    await body(i);
                }
            });
        }

        Task.WaitAll(tasks);
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>One line in (with its newline), stdin closed, wait for the exit: a delete run, or a program that answers nothing.</summary>
    public static async Task RunLineAsync(ProgramLauncher launcher, ProgramInvocation program, byte[] line)
    {
        using var run = launcher.Launch(program, Quiet);
        await run.StandardInput.WriteAsync(line);
        run.StandardInput.Dispose();
        await run.Exited;
    }

    /// <summary>execd's add handshake without the bookkeeping: the message, one control line back, the answer, wait for the exit.</summary>
    public static async Task RunHandshakeAsync(ProgramLauncher launcher, ProgramInvocation program, byte[] add, byte[] answer)
    {
        using var run = launcher.Launch(program, Handshake);
        await run.StandardInput.WriteAsync(add);
        if (!await ReadLineAsync(run.StandardOutput!))
        {
            throw new InvalidOperationException($"{program.RelativePath} printed no control line");
        }

        await run.StandardInput.WriteAsync(answer);
        run.StandardInput.Dispose();
        await run.Exited;
    }

    /// <summary>The same stateless run through <see cref="Process"/>, for reference: the runtime's own spawn path, which Riposte cannot use (no setsid, no signal reset).</summary>
    public static async Task RunWithProcessAsync(string home, string relativePath, byte[] line)
    {
        var start = new ProcessStartInfo(Path.Combine(home, relativePath))
        {
            WorkingDirectory = home,
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null");
        await process.StandardInput.BaseStream.WriteAsync(line);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
    }

    /// <summary>Reads up to and including the first newline; false at end of file before one.</summary>
    private static async Task<bool> ReadLineAsync(Stream stdout)
    {
        var buffer = new byte[512];
        while (true)
        {
            var read = await stdout.ReadAsync(buffer);
            if (read == 0)
            {
                return false;
            }

            if (Array.IndexOf(buffer, (byte)'\n', 0, read) >= 0)
            {
                return true;
            }
        }
    }

    /// <summary><paramref name="message"/> followed by the newline the protocol puts after every line.</summary>
    public static byte[] Line(byte[] message)
    {
        var line = new byte[message.Length + 1];
        message.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }
}
