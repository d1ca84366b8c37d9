using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Riposte.Bench;

/// <summary>
/// Alert-to-program-start latency across the fleet: alerts (location <c>local</c>, agent ids round robin over 001..050)
/// are handed to the manager's <see cref="Riposte.Fleet.Manager.FleetDispatcher"/> at a steady pace, and each agent's
/// program records when it started (bash's <c>$EPOCHREALTIME</c>, the same wall clock in microseconds). The baseline
/// hands the same kind of alerts, at the same pace, to the single-host <see cref="Riposte.Engine.AlertDispatcher"/>
/// running the same program in this process. Paced well below capacity, so it measures latency, not queueing.
/// </summary>
internal sealed class FleetLatencyBenchmark : IBenchmark
{
    private const double PerSecond = 25;
    private static readonly int WarmUp = 10 * FleetRig.AgentCount;
    private const int SingleWarmUp = 40;
    private const double WarmUpPerSecond = 200;

    public string Name => "fleet_latency_p99";

    public string Description => "alert-to-program-start p99 over 50 agent processes and NATS vs the single-host engine (target < 20 ms, <= 3x)";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        var rounds = options.Quick ? 2 : 4;
        var perRound = options.Quick ? 100 : 250;
        var rig = FleetRig.Shared();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   {rounds} rounds of {perRound} alerts per side at {PerSecond:F0}/s (after {WarmUp} and {SingleWarmUp} to warm up), fleet and single-host alternating; agents stopped (SIGSTOP) during single-host rounds"));

        var fleetSent = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var singleSent = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        Task Fleet(int i, ConcurrentDictionary<string, long>? sent)
        {
            var (alert, ip) = rig.NewAlert(FleetRig.StampRule, FleetRig.AgentFor(i));
            var now = FleetRig.NowMicros();
            sent?.TryAdd(ip, now);
            return rig.Fleet.DispatchAsync(alert, "alerts.json", replayable: true, CancellationToken.None);
        }

        Task Single(int i, ConcurrentDictionary<string, long>? sent)
        {
            var (alert, ip) = rig.NewAlert(FleetRig.StampRule, FleetRig.AgentFor(i));
            var now = FleetRig.NowMicros();
            sent?.TryAdd(ip, now);
            return rig.Single.DispatchAsync(alert, "alerts.json", replayable: true, CancellationToken.None);
        }

        // Warm-up: a daemon runs for days, so measure its steady state. The first commands through a process pay the JIT
        // (tier 0, then tier 1 after about 30 calls of each method on the path), so every agent gets 40 commands first,
        // quickly, as does the single-host engine; then alternate.
        PacedAsync(WarmUp, i => Fleet(i, null), WarmUpPerSecond).GetAwaiter().GetResult();
        RunSingle(() => PacedAsync(SingleWarmUp, i => Single(i, null), WarmUpPerSecond));
        for (var round = 0; round < rounds; round++)
        {
            PacedAsync(perRound, i => Fleet(i, fleetSent)).GetAwaiter().GetResult();
            RunSingle(() => PacedAsync(perRound, i => Single(i, singleSent)));
        }

        var fleet = Latencies(fleetSent, () => rig.AgentIds.Select(rig.StampsOf));
        var single = Latencies(singleSent, () => [rig.SingleStamps]);
        var (f50, f99, fMax) = (Percentile(fleet, 50), Percentile(fleet, 99), fleet[^1]);
        var (s50, s99, sMax) = (Percentile(single, 50), Percentile(single, 99), single[^1]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   fleet:       p50 {f50:F2} ms, p99 {f99:F2} ms, max {fMax:F2} ms ({fleet.Length} samples over {FleetRig.AgentCount} agents)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   single-host: p50 {s50:F2} ms, p99 {s99:F2} ms, max {sMax:F2} ms ({single.Length} samples)"));
        var met = f99 < 20 && f99 <= 3 * s99;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   target (fleet p99 < 20 ms and <= 3x single-host p99 = {3 * s99:F2} ms): {(met ? "met" : "MISSED")}"));
        yield return new BenchResult(Name, "ms", Math.Round(f99, 2), Math.Round(s99, 2),
            "single-host engine (AlertDispatcher in-process), same program, alerts and pace", Math.Round(s99 / f99, 3));
    }

    /// <summary>A single-host round with the agents stopped (the fleet round before it has drained: every program started).</summary>
    private static void RunSingle(Func<Task> round)
    {
        var rig = FleetRig.Shared();
        while (rig.CommandsLeftAsync().GetAwaiter().GetResult() != 0)
        {
            Thread.Sleep(50);
        }

        rig.PauseAgents();
        try
        {
            round().GetAwaiter().GetResult();
        }
        finally
        {
            rig.ResumeAgents();
        }
    }

    /// <summary>Hands alert i at i/rate seconds (never faster), then waits for every dispatch to finish.</summary>
    private static async Task PacedAsync(int count, Func<int, Task> send, double perSecond = PerSecond)
    {
        var watch = Stopwatch.StartNew();
        var tasks = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var wait = (i * 1000.0 / perSecond) - watch.Elapsed.TotalMilliseconds;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait));
            }

            tasks[i] = send(i);
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>Waits (at most 30 s) until every alert of <paramref name="sent"/> has its program's stamp; returns the latencies in ms, sorted.</summary>
    private static double[] Latencies(ConcurrentDictionary<string, long> sent, Func<IEnumerable<string>> files)
    {
        var deadline = Environment.TickCount64 + 30_000;
        while (true)
        {
            var stamps = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var file in files().Where(File.Exists))
            {
                foreach (var line in File.ReadAllLines(file))
                {
                    // "1764238317.123456 198.18.0.7"; bash prints the locale's decimal point, and the bench runs in C.
                    var space = line.IndexOf(' ', StringComparison.Ordinal);
                    if (space > 0 && decimal.TryParse(line[..space].Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
                    {
                        stamps.TryAdd(line[(space + 1)..], (long)(seconds * 1_000_000m));
                    }
                }
            }

            var matched = sent.Where(s => stamps.ContainsKey(s.Key)).Select(s => (stamps[s.Key] - s.Value) / 1000.0).ToArray();
            if (matched.Length == sent.Count)
            {
                Array.Sort(matched);
                return matched;
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new InvalidOperationException($"only {matched.Length} of {sent.Count} programs started within 30 s of the last alert");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>Nearest rank.</summary>
    public static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
