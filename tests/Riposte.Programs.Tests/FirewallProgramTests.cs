namespace Riposte.Programs.Tests;

/// <summary>
/// What every blocking program must do, proven with real TCP traffic between two network namespaces for IPv4 and
/// IPv6: the offender connects before, cannot after add (while a bystander still can), connects again after
/// delete; a repeated add or delete changes nothing and fails nothing; an abort leaves no trace.
/// </summary>
public abstract class FirewallProgramTests(RiposteArBinary binary)
{
    protected abstract string Program { get; }

    protected abstract string[] RequiredTools { get; }

    /// <summary>Everything the program may change in the server namespace, without counters or expiry times.</summary>
    protected abstract Task<string> StateAsync(NetnsPair net);

    /// <summary>The entries (rules, set elements, routes) that hold <paramref name="key"/>, one string each.</summary>
    protected abstract Task<IReadOnlyList<string>> EntriesAsync(NetnsPair net, IpFamily family, string key);

    /// <summary>What one block of one key looks like; one entry unless the program needs more.</summary>
    protected virtual void ShouldBeOneBlock(IReadOnlyList<string> entries, string key) =>
        entries.Count.ShouldBe(1, $"entries for {key}: [{string.Join("; ", entries)}]");

    [Theory]
    [InlineData(IpFamily.V4)]
    [InlineData(IpFamily.V6)]
    public async Task Add_blocks_the_offender_and_delete_lets_it_through_again(IpFamily family)
    {
        await using var rig = await StartAsync();
        var offender = NetnsPair.PeerAddress(family);
        await rig.Net.ShouldConnectAsync(family, because: "before any block");

        var add = await rig.Program.AddAsync(offender);
        add.ExitCode.ShouldBe(0, add.ToString());
        add.ShouldAskFor(Program, offender);
        ShouldBeOneBlock(await EntriesAsync(rig.Net, family, offender), offender);
        await rig.Net.ShouldBeBlockedAsync(family, because: $"after {Program} add");

        var delete = await rig.Program.DeleteAsync(offender);
        delete.ExitCode.ShouldBe(0, delete.ToString());
        (await EntriesAsync(rig.Net, family, offender)).ShouldBeEmpty($"{Program} delete left entries for {offender}");
        await rig.Net.ShouldConnectAsync(family, because: $"after {Program} delete");

        ActiveResponsesLog.ShouldHaveRuns(rig.Home, Program, "Ended", "Ended");
    }

    [Theory]
    [InlineData(IpFamily.V4)]
    [InlineData(IpFamily.V6)]
    public async Task Add_twice_keeps_one_block_and_delete_twice_is_harmless(IpFamily family)
    {
        await using var rig = await StartAsync();
        var offender = NetnsPair.PeerAddress(family);

        var first = await rig.Program.AddAsync(offender);
        first.ExitCode.ShouldBe(0, first.ToString());
        var afterFirst = await StateAsync(rig.Net);
        var second = await rig.Program.AddAsync(offender);
        second.ExitCode.ShouldBe(0, second.ToString());
        (await StateAsync(rig.Net)).ShouldBe(afterFirst, "a second add of the same key must change nothing");
        ShouldBeOneBlock(await EntriesAsync(rig.Net, family, offender), offender);
        await rig.Net.ShouldBeBlockedAsync(family, because: "after two adds");

        var delete = await rig.Program.DeleteAsync(offender);
        delete.ExitCode.ShouldBe(0, delete.ToString());
        var afterDelete = await StateAsync(rig.Net);
        (await EntriesAsync(rig.Net, family, offender)).ShouldBeEmpty($"one delete must undo the block of {offender}, however many adds");
        var again = await rig.Program.DeleteAsync(offender);
        again.ExitCode.ShouldBe(0, $"deleting a block that is gone is not an error\n{again}");
        (await StateAsync(rig.Net)).ShouldBe(afterDelete, "a second delete must change nothing");
        await rig.Net.ShouldConnectAsync(family, because: "after the deletes");

        ActiveResponsesLog.ShouldHaveRuns(rig.Home, Program, "Ended", "Ended", "Ended", "Ended");
    }

    [Theory]
    [InlineData(IpFamily.V4)]
    [InlineData(IpFamily.V6)]
    public async Task Abort_changes_nothing(IpFamily family)
    {
        await using var rig = await StartAsync();
        var offender = NetnsPair.PeerAddress(family);
        var before = await StateAsync(rig.Net);

        var add = await rig.Program.AddAsync(offender, Answer.Abort);
        add.ExitCode.ShouldBe(0, add.ToString());
        add.ShouldAskFor(Program, offender);
        (await StateAsync(rig.Net)).ShouldBe(before, "execd's abort means the key is already handled: nothing may change");
        await rig.Net.ShouldConnectAsync(family, because: "after an aborted add");

        ActiveResponsesLog.ShouldHaveRuns(rig.Home, Program, [null]);
    }

    /// <summary>
    /// What the program needs running next to it in the server namespace, started after the namespaces and stopped
    /// before they go (firewalld-drop: a private firewalld), and the launcher the program then runs under; by
    /// default nothing and <see cref="NetnsPair.ServerLauncher"/>.
    /// </summary>
    protected virtual Task<(IReadOnlyList<string> Launcher, IAsyncDisposable? Service)> StartServerSideAsync(NetnsPair net) =>
        Task.FromResult<(IReadOnlyList<string>, IAsyncDisposable?)>((net.ServerLauncher, null));

    /// <summary>Skips without root or tools, then a fresh home and namespace pair for one test.</summary>
    protected async Task<Rig> StartAsync()
    {
        HostRequirements.Require(RequiredTools);
        var home = await WazuhHome.CreateAsync(binary, Program);
        NetnsPair? net = null;
        try
        {
            net = await NetnsPair.CreateAsync();
            var (launcher, service) = await StartServerSideAsync(net);
            return new Rig(home, net, new ArProgram(home, Program, launcher), service);
        }
        catch
        {
            if (net is not null)
            {
                await net.DisposeAsync();
            }

            home.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A test's home, namespaces, program and server-side service; disposing stops the service, then deletes the
    /// namespaces (and all they hold).
    /// </summary>
    protected sealed class Rig(WazuhHome home, NetnsPair net, ArProgram program, IAsyncDisposable? service = null) : IAsyncDisposable
    {
        public WazuhHome Home => home;

        public NetnsPair Net => net;

        public ArProgram Program => program;

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (service is not null)
                {
                    await service.DisposeAsync();
                }
            }
            finally
            {
                await net.DisposeAsync();
                home.Dispose();
            }
        }
    }
}
