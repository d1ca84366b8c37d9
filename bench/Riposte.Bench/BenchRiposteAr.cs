using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Riposte.Bench;

/// <summary>
/// The native <c>riposte-ar</c> (Riposte's built-in programs), published as it ships (<c>dotnet publish -c Release -r
/// linux-ARCH</c>, native AOT) into <c>bench/data/riposte-ar</c> once and reused while the sources of
/// Riposte.Programs and Riposte.Sdk are unchanged (a hash of them is kept next to it). <c>RIPOSTE_AR_BINARY</c> names
/// a ready binary instead.
/// </summary>
internal static class BenchRiposteAr
{
    private static readonly string[] SourceDirectories = ["src/Riposte.Programs", "src/Riposte.Sdk"];

    private static readonly string[] BuildFiles = ["Directory.Build.props", "Directory.Packages.props"];

    /// <summary>The binary, or null with <paramref name="why"/> when it is not available (no programs project, publish failed).</summary>
    public static string? Locate(string repo, string dataDirectory, out string? why)
    {
        why = null;
        var given = Environment.GetEnvironmentVariable("RIPOSTE_AR_BINARY");
        if (!string.IsNullOrEmpty(given))
        {
            if (File.Exists(given))
            {
                return given;
            }

            why = $"RIPOSTE_AR_BINARY={given} does not exist";
            return null;
        }

        var project = Path.Combine(repo, "src", "Riposte.Programs", "Riposte.Programs.csproj");
        if (!File.Exists(project))
        {
            why = "src/Riposte.Programs does not exist";
            return null;
        }

        var output = Path.Combine(dataDirectory, "riposte-ar");
        var binary = Path.Combine(output, "riposte-ar");
        var stamp = Path.Combine(output, ".sources");
        var hash = SourceHash(repo);
        if (File.Exists(binary) && File.Exists(stamp) && File.ReadAllText(stamp) == hash)
        {
            return binary;
        }

        Console.WriteLine("   publishing riposte-ar (native AOT, once per source change) ...");
        var watch = Stopwatch.StartNew();
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repo,
        };
        // Its own artifacts path: the solution build (and an editor) use src/*/obj at the same time.
        string[] args =
        [
            "publish", project, "-c", "Release", "-r", "linux-" + RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
            "--artifacts-path", Path.Combine(dataDirectory, "riposte-ar-build"), "-o", output, "--disable-build-servers", "-nologo",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            why = "dotnet publish of riposte-ar ran longer than 10 minutes";
            return null;
        }

        if (process.ExitCode != 0 || !File.Exists(binary))
        {
            var log = stdout.Result + stderr.Result;
            why = $"dotnet publish of riposte-ar failed ({process.ExitCode}): {(log.Length > 1500 ? log[^1500..] : log).Trim()}";
            return null;
        }

        File.WriteAllText(stamp, hash);
        Console.WriteLine($"   published in {watch.Elapsed.TotalSeconds:F0} s");
        return binary;
    }

    private static string SourceHash(string repo)
    {
        var files = SourceDirectories
            .Select(dir => Path.Combine(repo, dir))
            .Where(Directory.Exists)
            .SelectMany(dir => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(repo, path).Replace('\\', '/'))
            .Where(rel => !rel.Split('/').Any(part => part is "bin" or "obj"))
            .Concat(BuildFiles.Where(rel => File.Exists(Path.Combine(repo, rel))))
            .Order(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var rel in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(rel + "\0"));
            sha.AppendData(File.ReadAllBytes(Path.Combine(repo, rel)));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
