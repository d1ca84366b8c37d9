using System.Globalization;
using Riposte.Engine;
using Riposte.Execution;

namespace Riposte.Bench;

/// <summary>
/// Stateful add+delete cycles per second. A cycle through the engine is an add (the program answers check_keys with a
/// fresh IP, the engine records the intent in SQLite and answers continue) followed by <see cref="ResponseEngine.RevokeAsync"/>
/// of that IP, which runs the delete at once and removes the entry. The baseline runs the same two programs with the
/// same bytes and no state at all, as Wazuh's in-memory execd would.
/// </summary>
internal sealed class StatefulCycleBenchmark : IBenchmark
{
    private const string ArName = "firewall-drop600";

    public string Name => "stateful_cycle";

    public string Description => "stateful add+delete cycles per second through the engine vs the same runs without state";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        var count = options.Quick ? 500 : 2000;
        var rounds = options.Quick ? 2 : 3;
        const int warmUp = 40;
        double bestRiposte = 0, bestBaseline = 0;
        var home = BenchHome.Create();
        try
        {
            var program = home.WriteProgram("firewall-drop", BenchHome.StatefulProgram);
            var engine = home.StartEngineAsync([(ArName, "firewall-drop", 600)]).GetAwaiter().GetResult();
            var launcher = new ProgramLauncher();
            var invocation = new ProgramInvocation(home.Path, program);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {count:N0} cycles (add with check_keys + delete), {BenchHome.Parallelism} in flight, {rounds} rounds"));

            // Every cycle of every round gets its own IP, so no add ever meets an active entry (that would be an abort).
            var total = warmUp + (rounds * count);
            var requests = new ExecRequest[total];
            var plain = new (byte[] Add, byte[] Continue, byte[] Delete)[total];
            for (var i = 0; i < total; i++)
            {
                var ip = BenchHome.SourceIp(i);
                var body = BenchHome.AnalysisdBody(ArName, ip, i);
                requests[i] = new ExecRequest(body, "execq");
                var message = BenchHome.PreparedMessage(body, program);
                plain[i] = (PlainRuns.Line(message.With("add")), PlainRuns.Line(message.With("continue")), PlainRuns.Line(message.With("delete")));
            }

            async Task EngineCycle(int i)
            {
                await BenchHome.ExpectAsync(engine.ExecuteAsync(requests[i], CancellationToken.None), ExecResult.Continued);
                var deleted = await engine.RevokeAsync(BenchHome.SourceIp(i), CancellationToken.None);
                if (deleted is not [{ Result: ExecResult.Continued }])
                {
                    throw new InvalidOperationException($"revoke of {BenchHome.SourceIp(i)} gave {string.Join("; ", deleted.Select(d => $"{d.Result}: {d.Detail}"))}");
                }
            }

            async Task PlainCycle(int i)
            {
                await PlainRuns.RunHandshakeAsync(launcher, invocation, plain[i].Add, plain[i].Continue);
                await PlainRuns.RunLineAsync(launcher, invocation, plain[i].Delete);
            }

            PlainRuns.Loop(warmUp, BenchHome.Parallelism, EngineCycle);
            PlainRuns.Loop(warmUp, BenchHome.Parallelism, PlainCycle);
            for (var round = 0; round < rounds; round++)
            {
                var offset = warmUp + (round * count);
                bestBaseline = Math.Max(bestBaseline, count / PlainRuns.Loop(count, BenchHome.Parallelism, i => PlainCycle(offset + i)));
                bestRiposte = Math.Max(bestRiposte, count / PlainRuns.Loop(count, BenchHome.Parallelism, i => EngineCycle(offset + i)));
            }

            var left = home.Store!.CountTimeoutsAsync().AsTask().GetAwaiter().GetResult();
            if (left != 0)
            {
                throw new InvalidOperationException($"{left} entries left in the timeout list after every cycle was revoked");
            }
        }
        finally
        {
            home.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   engine {bestRiposte:N0} cycles/s (one every {1000 / bestRiposte:F2} ms), plain runs {bestBaseline:N0} cycles/s (one every {1000 / bestBaseline:F2} ms)"));
        yield return new BenchResult(Name, "cycles/s", Math.Round(bestRiposte), Math.Round(bestBaseline),
            $"same add handshake and delete runs, no state (in-memory execd), {BenchHome.Parallelism} in flight", Math.Round(bestRiposte / bestBaseline, 3));
    }
}
