namespace Riposte.Cli.Commands;

/// <summary>What Riposte creates under a home, and how commands fail for a user who may not read its state.</summary>
public sealed class FileSecurityTests
{
    private const UnixFileMode World = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task Under_umask_000_nothing_riposte_creates_is_open_to_other_users()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Unix modes");
        using var home = new TestHome();
        // Riposte creates logs/ itself here, so its mode is checked too.
        Directory.Delete(Path.Combine(home.Path, "logs"), recursive: true);
        var alerts = Path.Combine(home.Path, "alerts.json");
        File.WriteAllText(alerts, "");

        await using (var daemon = DaemonProcess.StartWithUmask000("--home", home.Path, "--alerts", alerts))
        {
            await TestHome.WaitForAsync(() => daemon.Log.Contains("Started", StringComparison.Ordinal), "start");
            (await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--srcip", "203.0.113.5"])).ExitCode.ShouldBe(0);
            (await CliRunner.RunAsync(["revoke", "--home", home.Path, "203.0.113.5"])).ExitCode.ShouldBe(0);
            daemon.Signal("TERM");
            (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);
        }

        var modes = new Dictionary<string, UnixFileMode>
        {
            ["queue"] = (UnixFileMode)0b111_101_000,
            ["queue/riposte"] = (UnixFileMode)0b111_000_000,
            ["riposte"] = (UnixFileMode)0b111_000_000,
            ["riposte/state.db"] = (UnixFileMode)0b110_000_000,
            ["logs"] = (UnixFileMode)0b111_101_000,
            ["logs/active-responses.log"] = (UnixFileMode)0b110_110_000,
        };
        foreach (var (relative, mode) in modes)
        {
            File.GetUnixFileMode(Path.Combine(home.Path, relative)).ShouldBe(mode, relative);
        }

        // Everything below: the -wal/-shm, the control socket (0600), the exec queue (0660).
        foreach (var entry in new[] { "riposte", "queue" }.SelectMany(d => Directory.EnumerateFileSystemEntries(Path.Combine(home.Path, d), "*", SearchOption.AllDirectories)))
        {
            (File.GetUnixFileMode(entry) & World).ShouldBe((UnixFileMode)0, entry);
        }

        var log = File.ReadAllBytes(Path.Combine(home.Path, "logs", "active-responses.log"));
        log.Take(3).ShouldNotBe([0xEF, 0xBB, 0xBF]);
        System.Text.Encoding.UTF8.GetString(log).ShouldContain("riposte: ");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("history")]
    [InlineData("trigger", "--command", "firewall-drop600", "--srcip", "203.0.113.6")]
    [InlineData("revoke", "203.0.113.6")]
    public async Task A_user_who_may_not_read_the_state_is_told_permission_denied(string command, params string[] rest)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess, "needs root, to run the command as another user (nobody) with setpriv");
        using var home = new TestHome();
        (await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--srcip", "203.0.113.6"])).ExitCode.ShouldBe(0);
        // A home other users may enter and read (as its etc/ is), holding root's 0700 state directory.
        File.SetUnixFileMode(home.Path, (UnixFileMode)0b111_101_101);

        var result = await CliRunner.RunProcessAsNobodyAsync([command, "--home", home.Path, .. rest]);

        result.ExitCode.ShouldBe(3, result.Out + result.Error);
        result.Error.ShouldContain("permission denied");
        result.Error.ShouldNotContain("Unhandled exception");
        result.Out.ShouldNotContain("no active responses");
        result.Out.ShouldNotContain("no history");
    }
}
