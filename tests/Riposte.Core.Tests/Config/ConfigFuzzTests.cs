using Riposte.Config.Settings;

namespace Riposte.Config;

/// <summary>
/// Mutated ossec.conf and riposte.json files (fixed seed): every read ends, with diagnostics and no exception, and
/// allocates a bounded amount. RIPOSTE_FUZZ_ITERATIONS runs longer, RIPOSTE_FUZZ_SEED explores other inputs.
/// </summary>
public sealed class ConfigFuzzTests : IDisposable
{
    /// <summary>Far above what a 4 MiB file needs and far below what an unbounded read of /dev/zero reaches.</summary>
    private const long MaxAllocatedBytes = 512L * 1024 * 1024;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("riposte-fuzz-");

    public void Dispose() => _dir.Delete(true);

    public static TheoryData<string> XmlFixtures => ["sample-manager-ossec-ar.xml", "sample-agent-ossec-ar.xml"];

    [Theory]
    [MemberData(nameof(XmlFixtures))]
    public async Task Mutated_ossec_conf_never_throws_or_runs_away(string fixture)
    {
        var original = File.ReadAllBytes(Fixtures.Path(fixture));
        var mutator = new ConfigMutator(ConfigMutator.Seed ^ fixture.Length);
        var path = Path.Combine(_dir.FullName, fixture);
        for (var i = 0; i < ConfigMutator.Iterations(60); i++)
        {
            var input = mutator.Mutate(original, json: false, out var mutation);
            File.WriteAllBytes(path, input);
            foreach (var role in new[] { ConfigRole.Manager, ConfigRole.Agent })
            {
                var context = $"seed {ConfigMutator.Seed}, {fixture}, iteration {i} ({mutation}), role {role}";
                var (result, allocated) = await Measure(() => OssecConfigReader.ReadFiles([path], role), context);

                allocated.ShouldBeLessThan(MaxAllocatedBytes, context);
                (result.Config is null).ShouldBe(result.HasErrors, context);
                result.Diagnostics.ShouldAllBe(d => d.Position.File == path && d.Position.Line >= 0 && d.Position.Column >= 0, context);
            }
        }
    }

    [Fact]
    public async Task Mutated_riposte_json_never_throws_or_runs_away()
    {
        var original = File.ReadAllBytes(Path.Combine(SettingsTestHelpers.RepositoryRoot(), "examples", "riposte.json"));
        var mutator = new ConfigMutator(ConfigMutator.Seed);
        for (var i = 0; i < ConfigMutator.Iterations(150); i++)
        {
            var input = mutator.Mutate(original, json: true, out var mutation);
            var context = $"seed {ConfigMutator.Seed}, riposte.json, iteration {i} ({mutation})";
            var ((settings, diagnostics), allocated) = await Measure(() => RiposteSettingsReader.Read(input, "riposte.json"), context);

            allocated.ShouldBeLessThan(MaxAllocatedBytes, context);
            (settings is null).ShouldBe(diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error), context);
            diagnostics.ShouldAllBe(d => d.Position.Line >= 1 && d.Position.Column >= 1, context);
        }
    }

    /// <summary>Runs one read on its own thread (allocation counters are per thread), with a hang guard.</summary>
    private static async Task<(T Result, long Allocated)> Measure<T>(Func<T> read, string context)
    {
        var task = Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var result = read();
                return (result, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"{context}: {e.GetType().Name}: {e.Message}", e);
            }
        });

        // A hang guard, not a timing assertion: a correct read of a 4 MiB file takes well under a second.
        return await task.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
    }
}
