using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

[assembly: AssemblyFixture(typeof(Riposte.Programs.Tests.RiposteArBinary))]

namespace Riposte.Programs.Tests;

/// <summary>
/// The native <c>riposte-ar</c> under test, published once per run the way it ships (<c>dotnet publish -c Release
/// -r linux-ARCH</c>, native AOT). The result is cached in <c>artifacts/riposte-ar/HASH/</c>, keyed by a hash of the
/// programs' and the SDK's sources and the build settings, so a run without source changes starts at once.
/// <c>RIPOSTE_AR_BINARY</c> names a ready binary instead (a CI step that already published it).
/// </summary>
public sealed class RiposteArBinary
{
    private const string ProgramsProject = "src/Riposte.Programs/Riposte.Programs.csproj";

    private static readonly string[] BuildFiles =
        ["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", ".editorconfig", "NuGet.config", "eng/BannedSymbols.txt"];

    // Lazy: a developer without root skips every test here and should not pay for an AOT publish.
    private readonly Lazy<Task<string>> _path = new(() => Task.Run(LocateAsync));

    /// <summary>The published executable (published on first use; a failed publish fails every test that needs it).</summary>
    public Task<string> GetPathAsync() => _path.Value;

    private static async Task<string> LocateAsync()
    {
        var given = Environment.GetEnvironmentVariable("RIPOSTE_AR_BINARY");
        if (!string.IsNullOrEmpty(given))
        {
            return File.Exists(given) ? given : throw new FileNotFoundException($"RIPOSTE_AR_BINARY={given} does not exist");
        }

        var repo = FindRepositoryRoot();
        var cache = Path.Combine(repo, "artifacts", "riposte-ar");
        Directory.CreateDirectory(cache);
        var hash = SourceHash(repo);
        var cached = Path.Combine(cache, hash, "riposte-ar");
        if (File.Exists(cached))
        {
            return cached;
        }

        // Another test run (a second terminal, a parallel CI job on the same tree) may be publishing: one at a time.
        using var exclusive = await LockAsync(Path.Combine(cache, ".lock"));
        if (File.Exists(cached))
        {
            return cached;
        }

        var staging = Path.Combine(cache, "staging-" + Guid.NewGuid().ToString("N"));
        try
        {
            await PublishAsync(repo, Path.Combine(cache, "build"), staging);
            var published = Path.Combine(staging, "riposte-ar");
            if (SourceHash(repo) != hash)
            {
                // The sources changed while publishing (someone is editing): use the binary, cache nothing.
                var once = Path.Combine(cache, "uncached-" + Guid.NewGuid().ToString("N"));
                Directory.Move(staging, once);
                return Path.Combine(once, "riposte-ar");
            }

            var entry = Path.Combine(cache, "entry-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(entry);
            File.Move(published, Path.Combine(entry, "riposte-ar"));
            Directory.Move(entry, Path.Combine(cache, hash));
            Prune(cache, keep: hash);
            return cached;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static async Task PublishAsync(string repo, string buildDirectory, string outputDirectory)
    {
        var rid = "linux-" + RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = repo,
        };
        // A separate artifacts path keeps this publish out of src/*/obj, which the solution build (and an editor)
        // use at the same time; no build servers, so nothing is left running after the tests.
        string[] args =
        [
            "publish", Path.Combine(repo, ProgramsProject),
            "-c", "Release", "-r", rid, "--artifacts-path", buildDirectory, "-o", outputDirectory,
            "--disable-build-servers", "-nologo", "-clp:NoSummary",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The test host may run under `dotnet test`, whose MSBuild variables would steer this inner build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start dotnet publish");
        var output = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, output);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet publish of riposte-ar did not finish within 10 minutes");
        }

        await Task.WhenAll(stdout, stderr);
        var log = output.ToString();
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(outputDirectory, "riposte-ar")))
        {
            throw new InvalidOperationException(
                $"dotnet {string.Join(' ', args)} exited {process.ExitCode}:\n{(log.Length > 6000 ? log[^6000..] : log)}");
        }
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (sink)
            {
                sink.AppendLine(line);
            }
        }
    }

    /// <summary>
    /// SHA-256 over the path and bytes of every input of the publish: the directories of the programs' project and
    /// of every project it references (followed, so a new reference is not missed), bin/ and obj/ excluded, and the
    /// repository-wide build settings.
    /// </summary>
    private static string SourceHash(string repo)
    {
        var files = ProjectDirectories(Path.Combine(repo, ProgramsProject), [])
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(repo, path).Replace('\\', '/'))
            .Where(rel => !rel.Split('/').Any(part => part is "bin" or "obj"))
            .Concat(BuildFiles.Where(rel => File.Exists(Path.Combine(repo, rel))))
            .Distinct()
            .Order(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var rel in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(rel + "\0"));
            sha.AppendData(File.ReadAllBytes(Path.Combine(repo, rel)));
            sha.AppendData("\0"u8);
        }

        sha.AppendData(Encoding.UTF8.GetBytes(RuntimeInformation.OSArchitecture.ToString()));
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    private static HashSet<string> ProjectDirectories(string project, HashSet<string> seen)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(project))!;
        if (!seen.Add(dir))
        {
            return seen;
        }

        var references = System.Xml.Linq.XDocument.Load(project).Descendants("ProjectReference")
            .Select(reference => reference.Attribute("Include")?.Value)
            .OfType<string>();
        foreach (var reference in references)
        {
            ProjectDirectories(Path.Combine(dir, reference.Replace('\\', '/')), seen);
        }

        return seen;
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock(2) on Unix, released when the stream is disposed.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromMinutes(10))
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>
    /// Keeps the three newest cached binaries (a few MB each) and drops what interrupted or uncached runs left
    /// behind once it is an hour old (a run still going may be using it).
    /// </summary>
    private static void Prune(string cache, string keep)
    {
        var dirs = new DirectoryInfo(cache).EnumerateDirectories().Where(dir => dir.Name != "build" && dir.Name != keep).ToList();
        var oldCaches = dirs.Where(dir => !dir.Name.Contains('-', StringComparison.Ordinal))
            .OrderByDescending(dir => dir.LastWriteTimeUtc)
            .Skip(2);
        var leftovers = dirs.Where(dir => dir.Name.Contains('-', StringComparison.Ordinal) && dir.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1));
        foreach (var dir in oldCaches.Concat(leftovers))
        {
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Another run's; the next prune gets it.
            }
        }
    }

    private static string FindRepositoryRoot()
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
}
