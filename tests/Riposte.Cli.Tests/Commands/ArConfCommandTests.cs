namespace Riposte.Cli.Commands;

public sealed class ArConfCommandTests
{
    [Fact]
    public async Task Prints_the_fixture_ar_conf()
    {
        var result = await CliRunner.RunAsync(["ar-conf", "--config", Fixtures.ManagerConfig]);

        result.ExitCode.ShouldBe(0);
        result.Out.ShouldBe(File.ReadAllText(Fixtures.Path("sample-ar.conf")));
    }
}
