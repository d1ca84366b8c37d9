namespace Riposte.Programs.Tests;

/// <summary>
/// host-deny: one <c>ALL:IP</c> line per offender in hosts.deny (here a scratch file named by
/// <c>RIPOSTE_HOSTS_DENY</c>), matched as a whole line: Wazuh's program matches substrings, so it refuses to add
/// 10.0.0.1 next to 10.0.0.10 and deleting 10.0.0.1 also deletes 10.0.0.10. The program runs in a private /etc,
/// so even one that ignored the variable could not touch the host's hosts.deny.
/// </summary>
public sealed class HostDenyTests(RiposteArBinary binary)
{
    private const string Program = "host-deny";
    private const string SiteRules = "# site rules, kept as they are\nsshd: 192.0.2.7\nALL:10.0.0.10\n";

    [Fact]
    public async Task Add_appends_one_ALL_line_and_delete_removes_exactly_that_line()
    {
        await using var rig = await StartAsync(SiteRules);

        var add = await rig.Program.AddAsync("10.0.0.1");
        add.ExitCode.ShouldBe(0, add.ToString());
        add.ShouldAskFor(Program, "10.0.0.1");
        rig.Denied.ShouldBe(SiteRules + "ALL:10.0.0.1\n");

        var again = await rig.Program.AddAsync("10.0.0.1");
        again.ExitCode.ShouldBe(0, $"an entry that is already there is not an error (Wazuh exits 255 here)\n{again}");
        rig.Denied.ShouldBe(SiteRules + "ALL:10.0.0.1\n", "a second add must not duplicate the line");

        var delete = await rig.Program.DeleteAsync("10.0.0.1");
        delete.ExitCode.ShouldBe(0, delete.ToString());
        rig.Denied.ShouldBe(SiteRules, "delete removes the offender's line and nothing else");

        var deleteAgain = await rig.Program.DeleteAsync("10.0.0.1");
        deleteAgain.ExitCode.ShouldBe(0, deleteAgain.ToString());
        rig.Denied.ShouldBe(SiteRules);

        await rig.ShouldNotHaveTouchedEtcAsync();
        ActiveResponsesLog.ShouldHaveRuns(rig.Home, Program, "Ended", "Ended", "Ended", "Ended");
    }

    [Fact]
    public async Task An_address_that_prefixes_another_is_not_confused_with_it()
    {
        await using var rig = await StartAsync("ALL:10.0.0.10\n");

        var add = await rig.Program.AddAsync("10.0.0.1");
        add.ExitCode.ShouldBe(0, add.ToString());
        rig.Denied.ShouldBe("ALL:10.0.0.10\nALL:10.0.0.1\n", "10.0.0.1 is not blocked by the line for 10.0.0.10");

        (await rig.Program.DeleteAsync("10.0.0.1")).ExitCode.ShouldBe(0);
        rig.Denied.ShouldBe("ALL:10.0.0.10\n", "deleting 10.0.0.1 must keep 10.0.0.10");
        (await rig.Program.DeleteAsync("10.0.0.1")).ExitCode.ShouldBe(0);
        rig.Denied.ShouldBe("ALL:10.0.0.10\n", "deleting an absent 10.0.0.1 must keep 10.0.0.10");

        (await rig.Program.DeleteAsync("10.0.0.100")).ExitCode.ShouldBe(0);
        rig.Denied.ShouldBe("ALL:10.0.0.10\n", "10.0.0.100 is not 10.0.0.10 either");
    }

    [Fact]
    public async Task An_IPv6_offender_is_written_in_brackets_as_hosts_access_requires()
    {
        await using var rig = await StartAsync(SiteRules);

        var add = await rig.Program.AddAsync("fd00:77::2");
        add.ExitCode.ShouldBe(0, add.ToString());
        add.ShouldAskFor(Program, "fd00:77::2");
        rig.Denied.ShouldBe(SiteRules + "ALL:[fd00:77::2]\n", "hosts_access(5) only matches IPv6 addresses written in brackets");

        var delete = await rig.Program.DeleteAsync("fd00:77::2");
        delete.ExitCode.ShouldBe(0, delete.ToString());
        rig.Denied.ShouldBe(SiteRules);
    }

    [Fact]
    public async Task Abort_leaves_the_file_alone()
    {
        await using var rig = await StartAsync(SiteRules);

        var add = await rig.Program.AddAsync("10.0.0.1", Answer.Abort);
        add.ExitCode.ShouldBe(0, add.ToString());
        add.ShouldAskFor(Program, "10.0.0.1");
        rig.Denied.ShouldBe(SiteRules);
        await rig.ShouldNotHaveTouchedEtcAsync();
    }

    private async Task<Rig> StartAsync(string initial)
    {
        HostRequirements.Require("unshare", "nsenter", "cp");
        var home = await WazuhHome.CreateAsync(binary, Program);
        PrivateEtc? etc = null;
        try
        {
            etc = await PrivateEtc.CreateAsync();
            var denied = Path.Combine(home.Path, "scratch-hosts.deny");
            await File.WriteAllTextAsync(denied, initial, TestContext.Current.CancellationToken);
            var etcHostsDeny = Path.Combine(etc.EtcCopy, "hosts.deny");
            var program = new ArProgram(home, Program, etc.Launcher, new Dictionary<string, string> { ["RIPOSTE_HOSTS_DENY"] = denied });
            return new Rig(home, etc, program, denied, File.Exists(etcHostsDeny) ? await File.ReadAllTextAsync(etcHostsDeny, TestContext.Current.CancellationToken) : null);
        }
        catch
        {
            if (etc is not null)
            {
                await etc.DisposeAsync();
            }

            home.Dispose();
            throw;
        }
    }

    private sealed class Rig(WazuhHome home, PrivateEtc etc, ArProgram program, string denied, string? etcHostsDenyBefore) : IAsyncDisposable
    {
        public WazuhHome Home => home;

        public ArProgram Program => program;

        /// <summary>The scratch hosts.deny as it is now.</summary>
        public string Denied => File.ReadAllText(denied);

        /// <summary>The program used the file it was given, never /etc/hosts.deny.</summary>
        public async Task ShouldNotHaveTouchedEtcAsync()
        {
            var path = Path.Combine(etc.EtcCopy, "hosts.deny");
            var now = File.Exists(path) ? await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken) : null;
            now.ShouldBe(etcHostsDenyBefore, "RIPOSTE_HOSTS_DENY was set: /etc/hosts.deny must stay as it was");
        }

        public async ValueTask DisposeAsync()
        {
            await etc.DisposeAsync();
            home.Dispose();
        }
    }
}
