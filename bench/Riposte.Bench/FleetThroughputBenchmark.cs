using System.Diagnostics;
using System.Globalization;
using Riposte.Alerts;

namespace Riposte.Bench;

/// <summary>
/// Commands delivered and acknowledged per second across the 50 agents: N alerts for the stateless response (timeout 0,
/// a program that prints nothing), agent ids round robin, handed to the manager as fast as it takes them (at most
/// <see cref="FleetRig.Window"/> in flight, as <c>serve</c>'s tail loop); the clock stops when the command stream is
/// empty, i.e. every agent ran and acknowledged every command (work-queue retention drops a command when it is acked).
/// The baseline runs the same alerts through the single-host engine in this process.
/// </summary>
internal sealed class FleetThroughputBenchmark : IBenchmark
{
    private const int WarmUp = 100;

    public string Name => "fleet_throughput";

    public string Description => "stateless commands delivered and acknowledged per second over 50 agents vs the single-host engine (target >= 0.8)";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        var count = options.Quick ? 600 : 3000;
        var rounds = options.Quick ? 2 : 3;
        var rig = FleetRig.Shared();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   {count:N0} commands per round, {rounds} rounds, at most {FleetRig.Window} alerts in flight, fleet and single-host alternating (agents stopped during single-host rounds)"));
        Alert[] Alerts(int n) => [.. Enumerable.Range(0, n).Select(i => rig.NewAlert(FleetRig.NoopRule, FleetRig.AgentFor(i)).Alert)];

        double RunSingle(Alert[] alerts)
        {
            // Single-host mode has no agents: they are stopped (SIGSTOP) while it runs, after the fleet round drained.
            rig.PauseAgents();
            try
            {
                var watch = Stopwatch.StartNew();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
                var programsBefore = FleetRig.CpuSeconds(Environment.ProcessId, children: true);
                WindowAsync(alerts, a => rig.Single.DispatchAsync(a, "alerts.json", replayable: true, CancellationToken.None)).GetAwaiter().GetResult();
                var elapsed = watch.Elapsed.TotalSeconds;
                // The programs are this process's children: their CPU is in its children's counter once reaped.
                var engine = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpuBefore;
                var programs = FleetRig.CpuSeconds(Environment.ProcessId, children: true) - programsBefore;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   single-host round of {alerts.Length}: ms CPU per command: engine process {engine * 1000 / alerts.Length:F1}, its programs {programs * 1000 / alerts.Length:F1}; machine {(engine + programs) / (elapsed * Environment.ProcessorCount):P0} busy"));
                return elapsed;
            }
            finally
            {
                rig.ResumeAgents();
            }
        }

        (double Total, double Stored) RunFleet(Alert[] alerts)
        {
            if (rig.CommandsLeftAsync().GetAwaiter().GetResult() != 0)
            {
                throw new InvalidOperationException("the command stream is not empty before the round");
            }

            var watch = Stopwatch.StartNew();
            var cpuBefore = rig.AgentCpuSeconds();
            var programsBefore = rig.AgentProgramCpuSeconds();
            var natsBefore = rig.NatsCpuSeconds();
            var ownBefore = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            WindowAsync(alerts, a => rig.Fleet.DispatchAsync(a, "alerts.json", replayable: true, CancellationToken.None)).GetAwaiter().GetResult();
            var stored = watch.Elapsed.TotalSeconds;
            var deadline = Environment.TickCount64 + 120_000;
            while (rig.CommandsLeftAsync().GetAwaiter().GetResult() != 0)
            {
                if (Environment.TickCount64 > deadline)
                {
                    throw new TimeoutException("commands still unacknowledged 120 s after the last was stored");
                }

                Thread.Sleep(10);
            }

            // Where the CPU goes, per command: the 50 agents together, the programs they ran, nats-server, and this process
            // (the manager and the clock); and how busy the machine was, to tell a CPU-bound round from a stalled one.
            var agents = rig.AgentCpuSeconds() - cpuBefore;
            var programs = rig.AgentProgramCpuSeconds() - programsBefore;
            var nats = rig.NatsCpuSeconds() - natsBefore;
            var own = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - ownBefore;
            var busy = (agents + programs + nats + own) / (watch.Elapsed.TotalSeconds * Environment.ProcessorCount);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   round of {alerts.Length}: ms CPU per command: agents {agents * 1000 / alerts.Length:F1}, their programs {programs * 1000 / alerts.Length:F1}, nats-server {nats * 1000 / alerts.Length:F1}, manager process {own * 1000 / alerts.Length:F1}; machine {busy:P0} busy"));
            return (watch.Elapsed.TotalSeconds, stored);
        }

        RunFleet(Alerts(WarmUp));
        RunSingle(Alerts(WarmUp));
        double bestFleet = 0, bestSingle = 0, storeRate = 0;
        for (var round = 0; round < rounds; round++)
        {
            var (total, stored) = RunFleet(Alerts(count));
            if (count / total > bestFleet)
            {
                (bestFleet, storeRate) = (count / total, count / stored);
            }

            bestSingle = Math.Max(bestSingle, count / RunSingle(Alerts(count)));
        }

        // Every command ran its program: the agents' outcomes for it, as the manager receives them.
        var expected = WarmUp + (rounds * count);
        var outcomes = rig.WaitForOutcomesAsync(rig.NoopName, expected).GetAwaiter().GetResult();
        Console.WriteLine($"   agents' outcomes for {rig.NoopName}: {string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}"))} (expected {expected})");
        if (outcomes.Where(o => o.Key.EndsWith(" 0", StringComparison.Ordinal)).Sum(o => o.Value) < expected)
        {
            throw new InvalidOperationException($"expected {expected} runs exiting 0 reported by the agents");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   fleet {bestFleet:N0} commands/s acknowledged (the manager stored them at {storeRate:N0}/s), single-host {bestSingle:N0}/s; best round of each"));
        var ratio = bestFleet / bestSingle;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   target (fleet >= 0.8 x single-host): {(ratio >= 0.8 ? "met" : "MISSED")} ({ratio:F2})"));
        yield return new BenchResult(Name, "commands/s", Math.Round(bestFleet), Math.Round(bestSingle),
            "single-host engine (AlertDispatcher in-process), same program and count", Math.Round(ratio, 3));
    }

    /// <summary>Dispatches in order, at most <see cref="FleetRig.Window"/> unfinished at once; completes when all are done.</summary>
    private static async Task WindowAsync(Alert[] alerts, Func<Alert, Task> dispatch)
    {
        // Not disposed: the last releases may run after WhenAll has returned.
        var window = new SemaphoreSlim(FleetRig.Window);
        var tasks = new Task[alerts.Length];
        for (var i = 0; i < alerts.Length; i++)
        {
            await window.WaitAsync();
            tasks[i] = dispatch(alerts[i]);
            _ = tasks[i].ContinueWith(_ => window.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        await Task.WhenAll(tasks);
    }
}
