namespace Riposte.Cli.Commands;

/// <summary>
/// Issue 10: a command run without <c>--home</c> where there is no <c>/var/ossec</c> uses the current directory; when
/// it then finds nothing, it says how to name the home. Real processes, each in an empty directory of its own.
/// </summary>
public sealed class HomeHintTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("riposte-nohome-");

    public void Dispose() => _dir.Delete(true);

    private string ExpectedHint =>
        $"hint: no Riposte home found at /var/ossec, so the current directory {_dir.FullName} was used; pass --home DIR (or set \"home\" in the settings given with --settings)";

    private static void SkipWhenWazuhIsInstalled() =>
        Assert.SkipWhen(Directory.Exists("/var/ossec"), "/var/ossec exists here, so it is the default home and no hint is due");

    [Fact]
    public async Task Revoke_without_a_home_says_how_to_give_one()
    {
        SkipWhenWazuhIsInstalled();

        var result = await CliRunner.RunProcessInAsync(_dir.FullName, ["revoke", "1.2.3.4"]);

        result.ExitCode.ShouldBe(2);
        result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe([
            $"{_dir.FullName}/etc/ossec.conf:0:0: error (1239): Configuration file not found: '{_dir.FullName}/etc/ossec.conf'. (Could not find file '{_dir.FullName}/etc/ossec.conf'.)",
            ExpectedHint,
        ]);
        // A command that cannot run leaves the directory as it found it: no state directory, no lock file.
        _dir.GetFileSystemInfos().ShouldBeEmpty();
    }

    [Fact]
    public async Task Trigger_without_a_home_says_how_to_give_one()
    {
        SkipWhenWazuhIsInstalled();

        var result = await CliRunner.RunProcessInAsync(_dir.FullName, ["trigger", "--command", "firewall-drop600", "--srcip", "192.0.2.7"]);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldEndWith(ExpectedHint + "\n");
        _dir.GetFileSystemInfos().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("status", "no active responses\n")]
    [InlineData("history", "no history\n")]
    public async Task Listings_without_a_home_say_there_is_no_state_and_how_to_give_a_home(string command, string output)
    {
        SkipWhenWazuhIsInstalled();

        var result = await CliRunner.RunProcessInAsync(_dir.FullName, [command]);

        result.ExitCode.ShouldBe(0);
        result.Out.ShouldBe(output);
        result.Error.ShouldBe($"no state at {_dir.FullName}/riposte/state.db\n{ExpectedHint}\n");
    }

    [Fact]
    public async Task A_named_home_gets_no_hint()
    {
        using var home = new TestHome();
        File.Delete(home.Config);

        var result = await CliRunner.RunAsync(["revoke", "--home", home.Path, "1.2.3.4"]);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("error (1239)");
        result.Error.ShouldNotContain("hint:");
    }
}
