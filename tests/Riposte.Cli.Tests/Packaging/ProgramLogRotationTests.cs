namespace Riposte.Cli.Packaging;

/// <summary>
/// logs/active-responses.log under logrotate (rename, then a new file) and under a user's truncation: the daemon keeps
/// no handle on it, so each line lands in the file that is at the path when it is written.
/// </summary>
public sealed class ProgramLogRotationTests
{
    [Fact]
    public async Task Lines_after_a_move_go_to_a_new_file_and_after_a_truncation_to_its_start()
    {
        using var home = new TestHome();
        // Dry run: every response writes exactly one line of Riposte's own to the program log and runs nothing.
        await File.WriteAllTextAsync(Path.Combine(home.Path, "etc", "riposte.json"),
            """{ "safety": { "never_block_self": false }, "defaults": { "dry_run": true } }""", TestContext.Current.CancellationToken);
        var log = Path.Combine(home.Path, "logs", "active-responses.log");
        var rotated = log + ".1";
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Started"), "the daemon to start");

        home.AppendAlert("198.51.100.1", "1.1");
        await TestHome.WaitForAsync(() => Lines(log).Any(l => l.Contains("198.51.100.1")), "the first response's line");
        File.Move(log, rotated);

        home.AppendAlert("198.51.100.2", "1.2");
        await TestHome.WaitForAsync(() => Lines(log).Any(l => l.Contains("198.51.100.2")), "the second response's line in a new file");
        Lines(rotated).ShouldHaveSingleItem().ShouldContain("riposte: Dry run:");
        Lines(rotated)[0].ShouldContain("198.51.100.1");
        Lines(log).ShouldHaveSingleItem().ShouldContain("198.51.100.2");
        File.GetUnixFileMode(log).ShouldBe(Engine.ActiveResponsesLog.FileMode);

        await using (File.Open(log, FileMode.Truncate))
        {
        }

        home.AppendAlert("198.51.100.3", "1.3");
        await TestHome.WaitForAsync(() => Lines(log).Any(l => l.Contains("198.51.100.3")), "the third response's line after the truncation");
        var bytes = await File.ReadAllBytesAsync(log, TestContext.Current.CancellationToken);
        bytes.ShouldNotContain((byte)0, "appending at the old offset would leave a hole of NULs before the line");
        Lines(log).ShouldHaveSingleItem().ShouldContain("198.51.100.3");
        Lines(rotated).ShouldHaveSingleItem().ShouldContain("198.51.100.1");

        daemon.Signal("TERM");
        (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);
    }

    private static string[] Lines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];
}
