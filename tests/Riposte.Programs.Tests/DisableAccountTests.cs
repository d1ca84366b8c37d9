namespace Riposte.Programs.Tests;

/// <summary>
/// disable-account: <c>passwd -l</c> on add and <c>passwd -u</c> on delete for the alert's <c>dstuser</c> (the
/// key), never for root or any other uid-0 account. Everything happens in a private /etc with a throw-away user,
/// so a wrong program could not lock a real account, root included.
/// </summary>
public sealed class DisableAccountTests(RiposteArBinary binary)
{
    private const string Program = "disable-account";
    private const string SourceIp = "203.0.113.45";
    private const string Refusal = "Cannot read 'dstuser' from data or invalid username format";

    [Fact]
    public async Task Add_locks_the_account_and_delete_unlocks_it()
    {
        await using var rig = await StartAsync();
        var user = await rig.Etc.CreateUserAsync();
        (await rig.Etc.PasswordStatusAsync(user)).ShouldBe("P");

        var add = await rig.Program.AddAsync(SourceIp, dstuser: user);
        add.ExitCode.ShouldBe(0, add.ToString());
        add.ShouldAskFor(Program, user);
        (await rig.Etc.PasswordStatusAsync(user)).ShouldBe("L", $"after add\n{add}");

        var delete = await rig.Program.DeleteAsync(SourceIp, dstuser: user);
        delete.ExitCode.ShouldBe(0, delete.ToString());
        (await rig.Etc.PasswordStatusAsync(user)).ShouldBe("P", $"after delete\n{delete}");

        ActiveResponsesLog.ShouldHaveRuns(rig.Home, Program, "Ended", "Ended");
    }

    [Fact]
    public async Task Abort_leaves_the_account_alone()
    {
        await using var rig = await StartAsync();
        var user = await rig.Etc.CreateUserAsync();

        var add = await rig.Program.AddAsync(SourceIp, Answer.Abort, dstuser: user);
        add.ExitCode.ShouldBe(0, add.ToString());
        add.ShouldAskFor(Program, user);
        (await rig.Etc.PasswordStatusAsync(user)).ShouldBe("P");
    }

    [Fact]
    public async Task Root_is_refused_before_the_handshake()
    {
        await using var rig = await StartAsync();
        var root = await rig.Etc.MustAsync("passwd", "-S", "root");

        var add = await rig.Program.AddAsync(SourceIp, Answer.Abort, dstuser: "root");
        add.ExitCode.ShouldBe(255, add.ToString());
        add.ControlLine.ShouldBeNull("root must be refused before asking execd about it");
        var delete = await rig.Program.DeleteAsync(SourceIp, dstuser: "root");
        delete.ExitCode.ShouldBe(255, delete.ToString());

        (await rig.Etc.MustAsync("passwd", "-S", "root")).ShouldBe(root);
        rig.Home.LogLines().Count(line => line.EndsWith($"active-response/bin/{Program}: {Refusal}", StringComparison.Ordinal))
            .ShouldBe(2, string.Join('\n', rig.Home.LogLines()));
        ActiveResponsesLog.ShouldHaveRuns(rig.Home, Program, null, null);
    }

    [Fact]
    public async Task Another_name_for_uid_0_is_refused_too()
    {
        await using var rig = await StartAsync();
        var alias = await rig.Etc.CreateUserAsync("--non-unique", "--uid", "0");
        var root = await rig.Etc.MustAsync("passwd", "-S", "root");

        var add = await rig.Program.AddAsync(SourceIp, Answer.Abort, dstuser: alias);
        add.ExitCode.ShouldNotBe(0, $"{alias} is uid 0: locking it is locking a root login\n{add}");
        add.ControlLine.ShouldBeNull($"{alias} (uid 0) must be refused before asking execd about it");

        (await rig.Etc.PasswordStatusAsync(alias)).ShouldBe("P");
        (await rig.Etc.MustAsync("passwd", "-S", "root")).ShouldBe(root);
    }

    private async Task<Rig> StartAsync()
    {
        HostRequirements.Require("unshare", "nsenter", "cp", "useradd", "chpasswd", "passwd");
        var home = await WazuhHome.CreateAsync(binary, Program);
        try
        {
            var etc = await PrivateEtc.CreateAsync();
            return new Rig(home, etc, new ArProgram(home, Program, etc.Launcher));
        }
        catch
        {
            home.Dispose();
            throw;
        }
    }

    private sealed class Rig(WazuhHome home, PrivateEtc etc, ArProgram program) : IAsyncDisposable
    {
        public WazuhHome Home => home;

        public PrivateEtc Etc => etc;

        public ArProgram Program => program;

        public async ValueTask DisposeAsync()
        {
            await etc.DisposeAsync();
            home.Dispose();
        }
    }
}
