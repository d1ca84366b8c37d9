using System.Diagnostics;
using System.Text;
using Riposte.Cli;

namespace Riposte;

/// <summary>Runs the riposte command tree in-process with captured streams, or as a real child process.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Task<Result> RunAsync(string[] args, string? stdin = null) => RunAsync(args, Encoding.UTF8.GetBytes(stdin ?? ""));

    /// <summary>Runs in-process with raw standard input bytes (which need not be UTF-8).</summary>
    public static async Task<Result> RunAsync(string[] args, byte[] stdin)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var io = new CliIo(output, error, () => new MemoryStream(stdin));
        var exit = await RiposteCli.RunAsync(args, io, TestContext.Current.CancellationToken);
        return new Result(exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs the built riposte executable as a separate process.</summary>
    public static Task<Result> RunProcessAsync(string[] args, string? stdin = null) =>
        RunProcessAsync([], args, stdin is null ? null : Encoding.UTF8.GetBytes(stdin));

    /// <summary>Runs the built riposte executable with raw standard input bytes (which need not be UTF-8).</summary>
    public static Task<Result> RunProcessAsync(string[] args, byte[]? stdin) => RunProcessAsync([], args, stdin);

    /// <summary>Runs the built riposte executable in <paramref name="workingDirectory"/> (for defaults relative to it).</summary>
    public static Task<Result> RunProcessInAsync(string workingDirectory, string[] args) => RunProcessAsync([], args, null, workingDirectory);

    /// <summary>
    /// Runs the built riposte executable as uid/gid 65534 (nobody) with no supplementary groups, through util-linux's
    /// setpriv; the caller must be root.
    /// </summary>
    public static Task<Result> RunProcessAsNobodyAsync(string[] args) =>
        RunProcessAsync(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"], args, null);

    private static async Task<Result> RunProcessAsync(string[] launcher, string[] args, byte[]? stdin, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(launcher.Length > 0 ? launcher[0] : "dotnet")
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var word in launcher.Skip(1).Concat(launcher.Length > 0 ? ["dotnet"] : []))
        {
            start.ArgumentList.Add(word);
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "riposte.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var ct = TestContext.Current.CancellationToken;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin, ct);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(ct);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
