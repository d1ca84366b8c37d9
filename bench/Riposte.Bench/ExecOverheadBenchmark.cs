using System.Globalization;
using Riposte.Engine;
using Riposte.Execution;

namespace Riposte.Bench;

/// <summary>
/// The engine's cost per stateless execution: the same tiny program run N times through
/// <see cref="ResponseEngine.ExecuteAsync"/> (parse, resolve, spawn, handshake wait, audit row) and by a plain spawn
/// loop, both with <see cref="BenchHome.Parallelism"/> runs in flight.
/// </summary>
internal sealed class ExecOverheadBenchmark : IBenchmark
{
    private const string ArName = "noop0";

    public string Name => "exec_overhead";

    public string Description => "stateless executions per second through the engine vs a plain spawn loop of the same program";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        var count = options.Quick ? 1000 : 5000;
        var rounds = options.Quick ? 3 : 5;
        double bestRiposte = 0, bestBaseline = 0, process;
        var home = BenchHome.Create();
        try
        {
            var program = home.WriteProgram("noop", BenchHome.StatelessProgram);
            var engine = home.StartEngineAsync([(ArName, "noop", 0)]).GetAwaiter().GetResult();
            var body = BenchHome.AnalysisdBody(ArName, BenchHome.SourceIp(1), 1);
            var request = new ExecRequest(body, "execq");
            // The exact line the engine writes, so both sides feed the program the same bytes.
            var line = PlainRuns.Line(BenchHome.PreparedMessage(body, program).With("add"));
            var launcher = new ProgramLauncher();
            var invocation = new ProgramInvocation(home.Path, program);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {count:N0} runs of a one-line sh program, {BenchHome.Parallelism} in flight, {rounds} rounds ({Environment.ProcessorCount} cores)"));

            Task RunEngine(int i) => BenchHome.ExpectAsync(engine.ExecuteAsync(request, CancellationToken.None), ExecResult.NoKeys);
            Task RunPlain(int i) => PlainRuns.RunLineAsync(launcher, invocation, line);

            // Warm-up (JIT, page cache, the SQLite file's first pages), then alternate so drift hits both alike.
            PlainRuns.Loop(40, BenchHome.Parallelism, RunEngine);
            PlainRuns.Loop(40, BenchHome.Parallelism, RunPlain);
            for (var round = 0; round < rounds; round++)
            {
                bestBaseline = Math.Max(bestBaseline, count / PlainRuns.Loop(count, BenchHome.Parallelism, RunPlain));
                bestRiposte = Math.Max(bestRiposte, count / PlainRuns.Loop(count, BenchHome.Parallelism, RunEngine));
            }

            process = count / PlainRuns.Loop(count, BenchHome.Parallelism, _ => PlainRuns.RunWithProcessAsync(home.Path, program, line));
        }
        finally
        {
            home.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   engine {bestRiposte:N0}/s (one every {1000 / bestRiposte:F2} ms), ProgramLauncher loop {bestBaseline:N0}/s (one every {1000 / bestBaseline:F2} ms), System.Diagnostics.Process loop {process:N0}/s (one round, for reference)"));
        yield return new BenchResult(Name, "execs/s", Math.Round(bestRiposte), Math.Round(bestBaseline),
            $"plain posix_spawn loop (ProgramLauncher), {BenchHome.Parallelism} in flight", Math.Round(bestRiposte / bestBaseline, 3));
    }
}
