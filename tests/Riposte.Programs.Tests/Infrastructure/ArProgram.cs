using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Riposte.Programs.Tests;

/// <summary>What execd answers after the program's check_keys line.</summary>
public enum Answer
{
    Continue,
    Abort,
}

/// <summary>One run of a program: its exit code, the control line it printed (if any) and the rest of its output.</summary>
public sealed record ArResult(int ExitCode, string? ControlLine, string Stdout, string Stderr)
{
    /// <summary>The keys of the check_keys control line (empty without one).</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            if (ControlLine is null)
            {
                return [];
            }

            using var json = JsonDocument.Parse(ControlLine);
            return [.. json.RootElement.GetProperty("parameters").GetProperty("keys").EnumerateArray().Select(k => k.GetString() ?? "")];
        }
    }

    /// <summary>The run asked execd about exactly <paramref name="keys"/>, in the control line Wazuh's programs print.</summary>
    public void ShouldAskFor(string program, params string[] keys)
    {
        ControlLine.ShouldNotBeNull($"{program} printed no check_keys line\n{this}");
        using var json = JsonDocument.Parse(ControlLine);
        var root = json.RootElement;
        root.GetProperty("version").GetInt32().ShouldBe(1, ControlLine);
        root.GetProperty("command").GetString().ShouldBe("check_keys", ControlLine);
        root.GetProperty("origin").GetProperty("name").GetString().ShouldBe(program, ControlLine);
        root.GetProperty("origin").GetProperty("module").GetString().ShouldBe("active-response", ControlLine);
        string.Join('\n', Keys).ShouldBe(string.Join('\n', keys), ControlLine);
    }

    public override string ToString() =>
        $"exit {ExitCode}\ncontrol line: {ControlLine ?? "(none)"}\nstdout: {Stdout.TrimEnd()}\nstderr: {Stderr.TrimEnd()}";
}

/// <summary>
/// Runs an installed program the way wazuh-execd (and Riposte's runner) does: cwd = the home, argv[0] =
/// <c>active-response/bin/NAME</c>, the message on stdin, then for an add the check_keys handshake. A launcher
/// prefix (<c>ip netns exec NS</c>, <c>nsenter -t PID -m --</c>) puts the program inside the test's namespaces;
/// <c>env -C HOME</c> then sets the working directory and execs the relative path, so argv[0] is exactly execd's.
/// </summary>
public sealed class ArProgram(WazuhHome home, string name, IReadOnlyList<string> launcher, IReadOnlyDictionary<string, string>? environment = null)
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(20);

    public string Name => name;

    /// <summary>An add: the add line, the check_keys line back, then continue or abort; stdin is closed after.</summary>
    public Task<ArResult> AddAsync(string srcip, Answer answer = Answer.Continue, string? dstuser = null) =>
        RunAsync(
            ArMessages.Add(name, srcip, dstuser),
            _ => answer == Answer.Continue ? ArMessages.Continue(name, srcip, dstuser) : ArMessages.Abort(name, srcip, dstuser));

    /// <summary>A delete: one line, stdin closed, no handshake (execd runs deletes as a new process).</summary>
    public Task<ArResult> DeleteAsync(string srcip, string? dstuser = null) => RunAsync(ArMessages.Delete(name, srcip, dstuser), answer: null);

    /// <summary>
    /// Writes <paramref name="firstLine"/>; when <paramref name="answer"/> is given, reads one control line and
    /// writes what it returns for it. A program that exits without a control line gets no second line, as in execd.
    /// </summary>
    public async Task<ArResult> RunAsync(string firstLine, Func<string, string>? answer)
    {
        var start = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : "env")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        foreach (var arg in launcher.Skip(1).Concat(launcher.Count > 0 ? ["env"] : []).Concat(["-C", home.Path, $"active-response/bin/{name}"]))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {name}");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(RunLimit);
        var stderr = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            await WriteLineAsync(process, firstLine, limit.Token);
            string? control = null;
            if (answer is not null)
            {
                control = await process.StandardOutput.ReadLineAsync(limit.Token);
                if (control is not null)
                {
                    await WriteLineAsync(process, answer(control), limit.Token);
                }
            }

            CloseStdin(process);
            var rest = await process.StandardOutput.ReadToEndAsync(limit.Token);
            await process.WaitForExitAsync(limit.Token);
            return new ArResult(process.ExitCode, control, rest, await stderr);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} did not finish within {RunLimit.TotalSeconds} s");
        }
    }

    private static async Task WriteLineAsync(Process process, string line, CancellationToken cancellationToken)
    {
        try
        {
            await process.StandardInput.WriteAsync((line + "\n").AsMemory(), cancellationToken);
            await process.StandardInput.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // EPIPE: the program exited without reading; its exit code tells the rest, as with execd.
        }
    }

    private static void CloseStdin(Process process)
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone (EPIPE on the final flush).
        }
    }
}
