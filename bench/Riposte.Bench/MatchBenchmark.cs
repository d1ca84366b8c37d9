using System.Diagnostics;
using System.Text.Json;
using Riposte.Alerts;
using Riposte.Config;
using Riposte.Matching;

namespace Riposte.Bench;

/// <summary>
/// Parse+match throughput on a large generated alerts file against a plain <see cref="JsonDocument"/> parse of the
/// same lines, and peak heap for the file against a quarter of it (flat means streaming).
/// </summary>
internal sealed class MatchBenchmark : IBenchmark
{
    public string Name => "match";

    public string Description => "alerts parsed and matched per second vs JsonDocument.Parse of the same lines";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        var count = options.Quick ? 200_000 : 1_000_000;
        var rounds = options.Quick ? 3 : 5;
        var path = Path.Combine(options.DataDirectory, $"alerts-{count}.jsonl");
        var smallPath = Path.Combine(options.DataDirectory, $"alerts-{count / 4}.jsonl");
        AlertCorpus.Ensure(path, count);
        AlertCorpus.Ensure(smallPath, count / 4);
        var load = OssecConfigReader.ReadFiles([BenchConfig.Write(options.DataDirectory)]);
        if (load.Config is null)
        {
            throw new InvalidOperationException(string.Join("\n", load.Diagnostics));
        }

        var matcher = new ArMatcher(load.Config);
        Console.WriteLine($"   {count:N0} alerts ({new FileInfo(path).Length / 1048576.0:F0} MiB), {load.Config.ActiveResponses.Count} response blocks, {rounds} rounds");

        // Warm up both paths (JIT, caches), then alternate them so drift hits both alike.
        RunRiposte(smallPath, matcher, out _);
        RunBaseline(smallPath);
        double bestRiposte = 0, bestBaseline = 0;
        long actions = 0;
        for (var round = 0; round < rounds; round++)
        {
            bestBaseline = Math.Max(bestBaseline, count / RunBaseline(path));
            bestRiposte = Math.Max(bestRiposte, count / RunRiposte(path, matcher, out actions));
        }

        Console.WriteLine($"   {actions:N0} actions decided per pass");
        var peakLarge = PeakHeap(path, matcher);
        var peakSmall = PeakHeap(smallPath, matcher);
        Console.WriteLine($"   peak managed heap: {peakSmall / 1048576.0:F1} MiB for {count / 4:N0} alerts, {peakLarge / 1048576.0:F1} MiB for {count:N0}");

        yield return new BenchResult("match", "alerts/s", Math.Round(bestRiposte), Math.Round(bestBaseline), "JsonDocument parse",
            Math.Round(bestRiposte / bestBaseline, 3));
        yield return new BenchResult("match_memory", "MiB peak heap", Math.Round(peakLarge / 1048576.0, 1), Math.Round(peakSmall / 1048576.0, 1),
            "same matcher on a quarter of the input", Math.Round((double)peakSmall / peakLarge, 3));
    }

    private static double RunRiposte(string path, ArMatcher matcher, out long actions)
    {
        var list = new List<ArAction>();
        actions = 0;
        var watch = Stopwatch.StartNew();
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            foreach (var line in new JsonLinesReader(stream).ReadAll())
            {
                if (line.Alert is { } alert)
                {
                    list.Clear();
                    actions += matcher.Match(alert, list);
                }
            }
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static double RunBaseline(string path)
    {
        var watch = Stopwatch.StartNew();
        var buffer = new byte[1 << 16];
        var start = 0;
        var end = 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        while (true)
        {
            var read = stream.Read(buffer, end, buffer.Length - end);
            end += read;
            int newline;
            while ((newline = Array.IndexOf(buffer, (byte)'\n', start, end - start)) >= 0)
            {
                using (JsonDocument.Parse(buffer.AsMemory(start, newline - start)))
                {
                }

                start = newline + 1;
            }

            if (read == 0)
            {
                break;
            }

            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
            if (end == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static long PeakHeap(string path, ArMatcher matcher)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        long peak = 0;
        var list = new List<ArAction>();
        long n = 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        foreach (var line in new JsonLinesReader(stream).ReadAll())
        {
            if (line.Alert is { } alert)
            {
                list.Clear();
                matcher.Match(alert, list);
            }

            if (++n % 5000 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
            }
        }

        return peak;
    }
}
