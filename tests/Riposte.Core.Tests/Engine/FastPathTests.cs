using Riposte.Backends;

namespace Riposte.Engine;

public sealed class FastPathTests
{
    /// <summary>Records what the engine asks of the kernel; the kernel side itself is tested in Backends/.</summary>
    private sealed class RecordingBackend : IBlockBackend
    {
        public List<List<BlockChange>> Batches { get; } = [];

        public HashSet<string> Elements { get; } = [];

        public ValueTask EnsureReadyAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask ApplyAsync(IReadOnlyList<BlockChange> changes, CancellationToken cancellationToken)
        {
            lock (Batches)
            {
                Batches.Add([.. changes]);
                foreach (var change in changes)
                {
                    if (change.Action == BlockAction.Add)
                    {
                        Elements.Add(change.Target.Value);
                    }
                    else
                    {
                        Elements.Remove(change.Target.Value);
                    }
                }
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlySet<string>> ListAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlySet<string>>(Elements.ToHashSet());
    }

    [Fact]
    public async Task Nft_drop_runs_in_process_with_the_same_state_and_log_lines()
    {
        var backend = new RecordingBackend();
        await using var batcher = new BlockBatcher(backend, TimeProvider.System);
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf("nft-drop"),
            o => o with { SetBackends = new Dictionary<string, SetBackend> { ["nft-drop"] = new SetBackend(backend, batcher) } });
        h.WriteProgram("nft-drop", "#!/bin/sh\necho spawned >> \"$PWD/spawned\"\n");

        (await h.ExecAsync(EngineHarness.Body("nft-drop600", "203.0.113.45"))).Result.ShouldBe(ExecResult.Continued);
        (await h.ExecAsync(EngineHarness.Body("nft-drop600", "203.0.113.45"))).Result.ShouldBe(ExecResult.Aborted);

        backend.Elements.ShouldBe(["203.0.113.45"]);
        File.Exists(Path.Combine(h.Home, "spawned")).ShouldBeFalse();
        var entry = (await h.Store.ListTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldHaveSingleItem();
        entry.RKey.ShouldBe("nft-drop-203.0.113.45");
        var log = File.ReadAllLines(h.Engine.Log.Path).Select(l => l.Length > 20 ? l[20..] : l).ToList();
        log[0].ShouldBe("active-response/bin/nft-drop: Starting");
        log[1].ShouldStartWith("active-response/bin/nft-drop: {\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-execd\"},\"command\":\"add\"");
        log[2].ShouldBe("");
        log[3].ShouldBe("active-response/bin/nft-drop: {\"version\":1,\"origin\":{\"name\":\"nft-drop\",\"module\":\"active-response\"},\"command\":\"check_keys\",\"parameters\":{\"keys\":[\"203.0.113.45\"]}}");
        log[4].ShouldContain("\"command\":\"continue\"");
        log[5].ShouldBe("");
        log[6].ShouldBe("active-response/bin/nft-drop: Ended");
        log.ShouldContain("active-response/bin/nft-drop: Aborted");

        await h.Engine.RevokeAsync("203.0.113.45", TestContext.Current.CancellationToken);
        backend.Elements.ShouldBeEmpty();
        (await h.Store.CountTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
    }

    [Fact]
    public async Task A_flood_is_applied_in_few_transactions()
    {
        var backend = new RecordingBackend();
        await using var batcher = new BlockBatcher(backend, TimeProvider.System);
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf("nft-drop"),
            o => o with { MaxParallel = 64, SetBackends = new Dictionary<string, SetBackend> { ["nft-drop"] = new SetBackend(backend, batcher) } });
        h.WriteProgram("nft-drop", "#!/bin/sh\n");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => h.ExecAsync(EngineHarness.Body("nft-drop600", $"198.18.{i / 250}.{i % 250 + 1}"))));

        outcomes.ShouldAllBe(o => o.Result == ExecResult.Continued);
        backend.Elements.Count.ShouldBe(200);
        backend.Batches.Count.ShouldBeLessThan(200);
    }

    [Fact]
    public async Task Other_programs_and_non_ip_keys_still_spawn()
    {
        var backend = new RecordingBackend();
        await using var batcher = new BlockBatcher(backend, TimeProvider.System);
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(),
            o => o with { SetBackends = new Dictionary<string, SetBackend> { ["nft-drop"] = new SetBackend(backend, batcher) } });
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.45"))).Result.ShouldBe(ExecResult.Continued);

        h.Calls().Count.ShouldBe(2);
        backend.Batches.ShouldBeEmpty();
    }

    [Fact]
    public async Task Reconciliation_repairs_the_set_from_the_state()
    {
        var backend = new RecordingBackend();
        await using var batcher = new BlockBatcher(backend, TimeProvider.System);
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf("nft-drop"),
            o => o with { SetBackends = new Dictionary<string, SetBackend> { ["nft-drop"] = new SetBackend(backend, batcher) } });
        h.WriteProgram("nft-drop", "#!/bin/sh\n");
        await h.ExecAsync(EngineHarness.Body("nft-drop600", "203.0.113.1"));
        await h.ExecAsync(EngineHarness.Body("nft-drop600", "203.0.113.2"));

        // A firewall flush loses both, and something else left a stale element in Riposte's set.
        backend.Elements.Clear();
        backend.Elements.Add("198.51.100.99");
        var report = (await h.Engine.ReconcileAsync(TestContext.Current.CancellationToken))["nft-drop"];

        report.Added.Order().ShouldBe(["203.0.113.1", "203.0.113.2"]);
        report.Removed.ShouldBe(["198.51.100.99"]);
        backend.Elements.Order().ShouldBe(["203.0.113.1", "203.0.113.2"]);
        (await h.Store.QueryAuditAsync(new Riposte.State.AuditQuery(Event: "reconcile"), TestContext.Current.CancellationToken)).ShouldHaveSingleItem();
        (await h.Engine.ReconcileAsync(TestContext.Current.CancellationToken))["nft-drop"].InSync.ShouldBeTrue();
    }
}
