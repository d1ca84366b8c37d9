namespace Riposte.Cli.Commands;

public sealed class InstallProgramsCommandTests
{
    [Fact]
    public async Task Installs_every_program_and_keeps_foreign_ones_unless_forced()
    {
        using var home = new TestHome();
        var binary = Path.Combine(home.Path, "riposte-ar-build");
        await File.WriteAllTextAsync(binary, "#!/bin/sh\necho multi-call\n", TestContext.Current.CancellationToken);

        var result = await CliRunner.RunAsync(["install-programs", "--home", home.Path, "--from", binary]);

        // TestHome already has a foreign firewall-drop: it is kept.
        result.ExitCode.ShouldBe(2);
        result.Out.ShouldContain("skipped");
        var bin = Path.Combine(home.Path, "active-response", "bin");
        foreach (var name in InstallProgramsCommand.Programs.Where(n => n != "firewall-drop"))
        {
            File.ReadAllText(Path.Combine(bin, name)).ShouldBe("#!/bin/sh\necho multi-call\n");
            File.GetUnixFileMode(Path.Combine(bin, name)).ShouldBe((UnixFileMode)0b111_101_000);
        }

        File.ReadAllText(Path.Combine(bin, "firewall-drop")).ShouldContain("check_keys");

        var forced = await CliRunner.RunAsync(["install-programs", "--home", home.Path, "--from", binary, "--only", "firewall-drop", "--force"]);
        forced.ExitCode.ShouldBe(0, forced.Error);
        File.ReadAllText(Path.Combine(bin, "firewall-drop")).ShouldContain("multi-call");
        File.ReadAllText(Path.Combine(bin, "firewall-drop.wazuh")).ShouldContain("check_keys");

        (await CliRunner.RunAsync(["install-programs", "--home", home.Path, "--from", binary])).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Missing_binary_and_unknown_names_are_errors()
    {
        using var home = new TestHome();

        (await CliRunner.RunAsync(["install-programs", "--home", home.Path, "--from", "/nonexistent/riposte-ar"])).ExitCode.ShouldBe(2);
        (await CliRunner.RunAsync(["install-programs", "--home", home.Path, "--from", "/bin/true", "--only", "rm-rf"])).ExitCode.ShouldBe(1);
    }
}
