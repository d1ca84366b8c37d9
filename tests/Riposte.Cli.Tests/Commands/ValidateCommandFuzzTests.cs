namespace Riposte.Cli.Commands;

/// <summary>
/// <c>validate</c> in-process on mutated fixture files (fixed seed): it always answers with exit 0 or 2 and findings,
/// never an unhandled exception or a hang. RIPOSTE_FUZZ_ITERATIONS runs longer, RIPOSTE_FUZZ_SEED explores other inputs.
/// </summary>
public sealed class ValidateCommandFuzzTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("riposte-validate-fuzz-");

    public void Dispose() => _dir.Delete(true);

    [Fact]
    public async Task Mutated_configuration_and_settings_always_get_an_answer()
    {
        var xml = File.ReadAllBytes(Fixtures.ManagerConfig);
        var json = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "examples", "riposte.json"));
        var mutator = new ConfigMutator(ConfigMutator.Seed);
        var conf = Path.Combine(_dir.FullName, "ossec.conf");
        var settings = Path.Combine(_dir.FullName, "riposte.json");
        for (var i = 0; i < ConfigMutator.Iterations(40); i++)
        {
            File.WriteAllBytes(conf, mutator.Mutate(xml, json: false, out var xmlMutation));
            File.WriteAllBytes(settings, mutator.Mutate(json, json: true, out var jsonMutation));
            var context = $"seed {ConfigMutator.Seed}, iteration {i} (ossec.conf: {xmlMutation}, riposte.json: {jsonMutation})";

            // A hang guard, not a timing assertion.
            var result = await CliRunner.RunAsync(["validate", "--config", conf, "--settings", settings])
                .WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

            result.ExitCode.ShouldBeOneOf([0, 2], $"{context}\n{result.Error}");
            result.Error.ShouldNotContain("Exception", Case.Sensitive, context);
            result.OutLines.ShouldAllBe(l => l.StartsWith(conf + ":", StringComparison.Ordinal) || l.StartsWith(settings + ":", StringComparison.Ordinal), context);
        }
    }
}
