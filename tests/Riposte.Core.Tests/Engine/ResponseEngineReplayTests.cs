using System.Text;

namespace Riposte.Engine;

/// <summary>
/// What makes a replayed input safe: a request counts as handled only once its outcome is recorded, requests that may
/// share an rkey run in arrival order, and a started program is never abandoned by a caller that stops waiting.
/// </summary>
public sealed class ResponseEngineReplayTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>
    /// Answers check_keys with the srcip; while HOME/hold-ID exists (ID = the alert id) it waits before answering, and
    /// HOME/started-ID says it has begun. Effects go to HOME/events as "continue|abort|delete IP ID".
    /// </summary>
    private const string GatedProgram = """
        #!/bin/bash
        IFS= read -r line1
        ip=$(printf '%s' "$line1" | sed -n 's/.*"srcip":"\([^"]*\)".*/\1/p')
        id=$(printf '%s' "$line1" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
        case "$line1" in
          *'"command":"add"'*)
            touch "$PWD/started-$id"
            while [ -e "$PWD/hold-$id" ]; do sleep 0.02; done
            printf '{"version":1,"origin":{"name":"firewall-drop","module":"active-response"},"command":"check_keys","parameters":{"keys":["%s"]}}\n' "$ip"
            IFS= read -r line2
            case "$line2" in
              *'"command":"continue"'*) echo "continue $ip $id" >> "$PWD/events" ;;
              *) echo "abort $ip $id" >> "$PWD/events" ;;
            esac
            ;;
          *'"command":"delete"'*) echo "delete $ip $id" >> "$PWD/events" ;;
        esac
        """;

    private static async Task<EngineHarness> CreateAsync(int maxParallel)
    {
        var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), o => o with
        {
            MaxParallel = maxParallel,
            Limits = new Execution.ProgramLimits(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), 4096),
        });
        h.WriteProgram("firewall-drop", GatedProgram);
        return h;
    }

    private static ExecRequest Request(string srcip, string alertId, bool replayable = true) =>
        new(Encoding.UTF8.GetBytes(EngineHarness.Body("firewall-drop600", srcip, alertId)), "alerts.json",
            replayable ? $"{alertId}|firewall-drop600|server" : null);

    private static void Hold(EngineHarness h, string id) => File.WriteAllText(Path.Combine(h.Home, "hold-" + id), "");

    private static void Release(EngineHarness h, string id) => File.Delete(Path.Combine(h.Home, "hold-" + id));

    private static bool Started(EngineHarness h, string id) => File.Exists(Path.Combine(h.Home, "started-" + id));

    private static string[] Events(EngineHarness h)
    {
        var path = Path.Combine(h.Home, "events");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    [Fact]
    public async Task A_request_given_up_while_queued_is_not_recorded_and_runs_when_replayed()
    {
        await using var h = await CreateAsync(maxParallel: 1);
        Hold(h, "a1");
        var first = h.Engine.ExecuteAsync(Request("192.0.2.1", "a1"), Ct);
        await EngineHarness.WaitForAsync(() => Started(h, "a1"));

        // Stopping while it waits for the only slot (SIGTERM, or a crash): it must not count as done.
        using var stop = new CancellationTokenSource();
        var queued = h.Engine.ExecuteAsync(Request("192.0.2.2", "a2"), stop.Token);
        await stop.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(queued);
        (await h.Store.IsDecidedAsync("a2|firewall-drop600|server", Ct)).ShouldBeFalse();

        Release(h, "a1");
        (await first).Result.ShouldBe(ExecResult.Continued);
        (await h.Store.IsDecidedAsync("a1|firewall-drop600|server", Ct)).ShouldBeTrue();

        // The replay after a restart: the queued alert is applied now, the finished one is not applied again.
        (await h.Engine.ExecuteAsync(Request("192.0.2.2", "a2"), Ct)).Result.ShouldBe(ExecResult.Continued);
        (await h.Engine.ExecuteAsync(Request("192.0.2.1", "a1"), Ct)).Result.ShouldBe(ExecResult.Duplicate);
        Events(h).ShouldBe(["continue 192.0.2.1 a1", "continue 192.0.2.2 a2"]);
    }

    [Fact]
    public async Task A_decision_is_recorded_with_the_intent_and_with_the_abort()
    {
        await using var h = await CreateAsync(maxParallel: 2);
        (await h.Engine.ExecuteAsync(Request("192.0.2.5", "b1"), Ct)).Result.ShouldBe(ExecResult.Continued);
        (await h.Engine.ExecuteAsync(Request("192.0.2.5", "b2"), Ct)).Result.ShouldBe(ExecResult.Aborted);

        (await h.Store.IsDecidedAsync("b1|firewall-drop600|server", Ct)).ShouldBeTrue();
        (await h.Store.IsDecidedAsync("b2|firewall-drop600|server", Ct)).ShouldBeTrue();
        (await h.Engine.ExecuteAsync(Request("192.0.2.5", "b2"), Ct)).Result.ShouldBe(ExecResult.Duplicate);
        Events(h).ShouldBe(["continue 192.0.2.5 b1", "abort 192.0.2.5 b2"]);
    }

    [Fact]
    public async Task Requests_for_one_target_run_in_arrival_order_and_other_targets_do_not_wait()
    {
        await using var h = await CreateAsync(maxParallel: 4);
        Hold(h, "slow");
        var first = h.Engine.ExecuteAsync(Request("198.51.100.1", "slow", replayable: false), Ct);
        await EngineHarness.WaitForAsync(() => Started(h, "slow"));
        var repeat = h.Engine.ExecuteAsync(Request("198.51.100.1", "fast", replayable: false), Ct);

        (await h.Engine.ExecuteAsync(Request("198.51.100.2", "other", replayable: false), Ct)).Result.ShouldBe(ExecResult.Continued);
        Started(h, "fast").ShouldBeFalse("the repeat started before the first request for its address had finished");

        Release(h, "slow");
        (await first).Result.ShouldBe(ExecResult.Continued);
        (await repeat).Result.ShouldBe(ExecResult.Aborted);
        Events(h).ShouldBe(["continue 198.51.100.2 other", "continue 198.51.100.1 slow", "abort 198.51.100.1 fast"]);
    }

    [Fact]
    public async Task A_caller_that_stops_waiting_does_not_kill_a_program_that_has_started()
    {
        await using var h = await CreateAsync(maxParallel: 1);
        Hold(h, "c1");
        using var stop = new CancellationTokenSource();
        var running = h.Engine.ExecuteAsync(Request("192.0.2.9", "c1"), stop.Token);
        await EngineHarness.WaitForAsync(() => Started(h, "c1"));

        await stop.CancelAsync();
        Release(h, "c1");

        (await running).Result.ShouldBe(ExecResult.Continued);
        (await h.Store.CountTimeoutsAsync(Ct)).ShouldBe(1);
        Events(h).ShouldBe(["continue 192.0.2.9 c1"]);
    }

    [Fact]
    public async Task An_add_interrupted_after_its_intent_is_applied_again_on_the_next_start()
    {
        await using var h = await CreateAsync(maxParallel: 2);
        await h.StopAsync();

        // What a crash leaves when it lands between the intent and the program reading its continue.
        var program = "active-response/bin/firewall-drop";
        Protocol.Execd.ExecdMessage.TryParse(Encoding.UTF8.GetBytes(EngineHarness.Body("firewall-drop600", "192.0.2.77", "p1")), out var message, out _).ShouldBeTrue();
        message!.PrepareForProgram(program);
        var now = h.Time.GetUtcNow();
        await using (var store = await State.SqliteStateStore.OpenAsync(Path.Combine(h.Home, "riposte", "state.db"), h.Time, Ct))
        {
            await store.RecordAddIntentAsync(new State.TimeoutEntry("firewall-drop-192.0.2.77", program, message.With("delete"), now, 600, "firewall-drop600", "p1",
                ["192.0.2.77"], State.EntryStatus.Pending, 1), null, new State.AuditRecord(0, now, "continue", "firewall-drop-192.0.2.77", program, "firewall-drop600",
                "p1", ["192.0.2.77"], null, 0, null, null, "timeout 600s, offense 1", "alerts.json"), "p1|firewall-drop600|server", Ct);
        }

        await h.StartAsync(EngineHarness.Conf());

        Events(h).ShouldBe(["continue 192.0.2.77 p1"]);
        var entry = (await h.Store.ListTimeoutsAsync(Ct)).ShouldHaveSingleItem();
        entry.Status.ShouldBe(State.EntryStatus.Active);
        entry.ExpiresAt.ShouldBe(now.AddSeconds(600), "re-applying does not extend the block");
        var recovery = (await h.Store.QueryAuditAsync(new State.AuditQuery(Event: "add"), Ct)).ShouldHaveSingleItem();
        recovery.Source.ShouldBe("recovery");
    }

    [Fact]
    public async Task An_add_interrupted_whose_time_ran_out_before_the_start_is_undone_not_applied_and_says_so()
    {
        await using var h = await CreateAsync(maxParallel: 2);
        await h.StopAsync();

        var program = "active-response/bin/firewall-drop";
        Protocol.Execd.ExecdMessage.TryParse(Encoding.UTF8.GetBytes(EngineHarness.Body("firewall-drop2", "192.0.2.78", "p2")), out var message, out _).ShouldBeTrue();
        message!.PrepareForProgram(program);
        var now = h.Time.GetUtcNow();
        await using (var store = await State.SqliteStateStore.OpenAsync(Path.Combine(h.Home, "riposte", "state.db"), h.Time, Ct))
        {
            await store.RecordAddIntentAsync(new State.TimeoutEntry("firewall-drop-192.0.2.78", program, message.With("delete"), now, 2, "firewall-drop2", "p2",
                ["192.0.2.78"], State.EntryStatus.Pending, 1), null, new State.AuditRecord(0, now, "continue", "firewall-drop-192.0.2.78", program, "firewall-drop2",
                "p2", ["192.0.2.78"], null, 0, null, null, "timeout 2s, offense 1", "alerts.json"), "p2|firewall-drop2|server", Ct);
        }

        // Down for longer than the block.
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await h.StartAsync(EngineHarness.Conf());
        await EngineHarness.WaitForAsync(() => Events(h).Length > 0);

        Events(h).ShouldBe(["delete 192.0.2.78 p2"], "never applied late, only undone");
        var lapsed = (await h.Store.QueryAuditAsync(new State.AuditQuery(Event: "lapsed"), Ct)).ShouldHaveSingleItem();
        lapsed.Source.ShouldBe("recovery");
        lapsed.AlertId.ShouldBe("p2");
        lapsed.RKey.ShouldBe("firewall-drop-192.0.2.78");
    }
}
