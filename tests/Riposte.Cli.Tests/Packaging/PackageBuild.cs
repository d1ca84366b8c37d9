using System.Diagnostics;
using System.Text;
using Riposte.Programs.Tests;

[assembly: AssemblyFixture(typeof(Riposte.Cli.Packaging.PackageBuild))]

namespace Riposte.Cli.Packaging;

/// <summary>
/// The .deb and tarball, built once per test run by the documented command (<c>packaging/build-deb</c>, with the
/// programs tests' cached riposte-ar and gzip instead of xz), and the .deb unpacked with <c>dpkg -x</c> into a
/// temporary root: nothing is ever installed on the test host.
/// </summary>
public sealed class PackageBuild : IDisposable
{
    private readonly Lazy<Task<Built>> _built = new(() => Task.Run(BuildAsync));

    /// <summary>What the build produced.</summary>
    /// <param name="Deb">The .deb file.</param>
    /// <param name="Tarball">The tarball.</param>
    /// <param name="Root">The .deb's files, unpacked (<c>dpkg -x</c>).</param>
    /// <param name="Control">The .deb's control files (<c>dpkg-deb -e</c>).</param>
    /// <param name="Listing">The output of <c>dpkg-deb -c</c>.</param>
    public sealed record Built(string Deb, string Tarball, string Root, string Control, string Listing);

    internal static string Work { get; } = Directory.CreateTempSubdirectory("riposte-package-test-").FullName;

    /// <summary>Builds on first use; skips the calling test where dpkg-deb is missing.</summary>
    public async Task<Built> GetAsync()
    {
        Assert.SkipWhen(!OnPath("dpkg-deb"), "dpkg-deb is not installed (the package tests need it)");
        return await _built.Value;
    }

    /// <summary>Runs a program and returns its exit code and combined output; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> args, TimeSpan timeout,
        IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The test host may run under `dotnet test`, whose MSBuild variables would steer the build's inner dotnet.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var pumps = new[] { Pump(process.StandardOutput, output), Pump(process.StandardError, output) };
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {timeout}:\n{output}");
        }

        await Task.WhenAll(pumps);
        return (process.ExitCode, output.ToString());

        static async Task Pump(StreamReader reader, StringBuilder sink)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (sink)
                {
                    sink.AppendLine(line);
                }
            }
        }
    }

    /// <summary>True when <paramref name="program"/> is an executable on PATH.</summary>
    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));

    /// <summary>The repository root (the directory holding Riposte.slnx).</summary>
    public static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Riposte.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Riposte.slnx above {AppContext.BaseDirectory}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<Built> BuildAsync()
    {
        var repo = Repository();
        var riposteAr = await new RiposteArBinary().GetPathAsync();
        var output = Path.Combine(Work, "out");
        var (code, log) = await RunAsync(Path.Combine(repo, "packaging", "build-deb"), ["--out", output, "--fast", "--riposte-ar", riposteAr],
            TimeSpan.FromMinutes(10), workingDirectory: repo);
        if (code != 0)
        {
            throw new InvalidOperationException($"packaging/build-deb exited {code}:\n{(log.Length > 6000 ? log[^6000..] : log)}");
        }

        var deb = Directory.GetFiles(output, "riposte_*.deb").Single();
        var tarball = Directory.GetFiles(output, "riposte-*.tar.gz").Single();
        var root = Path.Combine(Work, "root");
        var control = Path.Combine(Work, "control");
        await Must("dpkg-deb", ["-x", deb, root]);
        await Must("dpkg-deb", ["-e", deb, control]);
        var listing = await Must("dpkg-deb", ["-c", deb]);
        return new Built(deb, tarball, root, control, listing);

        static async Task<string> Must(string program, string[] args)
        {
            var (exit, text) = await RunAsync(program, args, TimeSpan.FromMinutes(2));
            return exit == 0 ? text : throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {exit}:\n{text}");
        }
    }
}
