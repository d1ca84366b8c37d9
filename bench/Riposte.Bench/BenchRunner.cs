using System.Globalization;
using System.Text.Json;

namespace Riposte.Bench;

/// <summary>Parses <c>[--quick] [NAME...]</c>, runs the selected benchmarks, prints a table and writes latest.json.</summary>
internal static class BenchRunner
{
    private static readonly IBenchmark[] All = [new MatchBenchmark(), new ExecOverheadBenchmark(), new StatefulCycleBenchmark(), new StartupBenchmark(), new Block10kBenchmark(),
        new FleetLatencyBenchmark(), new FleetThroughputBenchmark(), new NotifyOverheadBenchmark()];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        if (args is [StartupBenchmark.ProbeArgument, var home, var expected])
        {
            // startup_100k measures in a fresh process: this one, started again by the benchmark.
            return StartupBenchmark.Probe(home, expected);
        }

        var quick = args.Contains("--quick");
        var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine("usage: bench/run [--quick] [NAME...]");
            foreach (var b in All)
            {
                Console.WriteLine($"  {b.Name,-16} {b.Description}");
            }

            return 0;
        }

        var unknown = names.Where(n => All.All(b => !b.Name.Equals(n, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"unknown benchmark(s): {string.Join(", ", unknown)}; known: {string.Join(", ", All.Select(b => b.Name))}");
            return 1;
        }

        var root = FindRepoRoot();
        var options = new BenchOptions(quick, Path.Combine(root, "bench", "data"));
        Directory.CreateDirectory(options.DataDirectory);
        var results = new List<BenchResult>();
        try
        {
            foreach (var benchmark in All.Where(b => names.Count == 0 || names.Contains(b.Name)))
            {
                Console.WriteLine($"== {benchmark.Name}: {benchmark.Description}{(quick ? " (quick)" : "")}");
                results.AddRange(benchmark.Run(options));
            }
        }
        finally
        {
            // The fleet rows share one nats-server and 50 agent processes: stopped once, after the last of them.
            FleetRig.DisposeShared();
        }

        PrintTable(results);
        var resultsDir = Path.Combine(root, "bench", "results");
        Directory.CreateDirectory(resultsDir);
        var path = Path.Combine(resultsDir, "latest.json");
        File.WriteAllText(path, JsonSerializer.Serialize(results, Indented) + "\n");
        Console.WriteLine($"wrote {Path.GetRelativePath(root, path)}");
        return 0;
    }

    private static void PrintTable(List<BenchResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"{"name",-22} {"unit",-16} {"riposte",14} {"baseline",14}  {"ratio",7}  baseline");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-22} {r.Unit,-16} {Number(r.Riposte),14} {Number(r.Baseline),14}  {r.Ratio,7:F2}  {r.BaselineName}"));
        }
    }

    // Seconds need their milliseconds; rates and sizes read better with one decimal.
    private static string Number(double value) => value.ToString(Math.Abs(value) < 10 ? "N3" : "N1", CultureInfo.InvariantCulture);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Riposte.slnx")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
