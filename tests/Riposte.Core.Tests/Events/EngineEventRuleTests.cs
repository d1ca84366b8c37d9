using Riposte.Engine;
using Riposte.State;
using Shouldly;

namespace Riposte.Events;

/// <summary>Every row the engine records about an alert carries its rule, so filters by rule and level can work.</summary>
public sealed class EngineEventRuleTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Continue_add_abort_and_delete_rows_carry_the_alert_rule_id_and_level()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        var body = EngineHarness.Body("firewall-drop600", "192.0.2.5", "a-1");

        (await h.ExecAsync(body)).Result.ShouldBe(ExecResult.Continued);
        (await h.ExecAsync(body)).Result.ShouldBe(ExecResult.Aborted);
        await h.AdvanceAsync(TimeSpan.FromSeconds(601), () => h.Calls().Count == 5);
        await EngineHarness.WaitForAsync(() => h.Store.CountTimeoutsAsync(CancellationToken.None).AsTask().Result == 0);

        var rows = await h.Store.ReadAuditAfterAsync(0, 100, _ct);
        rows.Select(r => r.Event).ShouldBe(["continue", "add", "abort", "delete"]);
        rows.ShouldAllBe(r => r.RuleId == "5712" && r.RuleLevel == 10);
    }

    [Fact]
    public async Task A_refusal_carries_the_rule_too_and_reads_as_refused()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(),
            o => o with { Protected = new Safety.ProtectedAddresses(true, [], TimeProvider.System, () => []) });
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        // The host's own loopback address is never blocked.
        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "127.0.0.1", "a-2"))).Result.ShouldBe(ExecResult.Refused);

        var row = (await h.Store.ReadAuditAfterAsync(0, 100, _ct)).ShouldHaveSingleItem();
        var e = ResponseEventMapper.FromAudit(row);
        e.Event.ShouldBe(ResponseEventKinds.Refused);
        (e.RuleId, e.RuleLevel).ShouldBe(("5712", (int?)10));
    }
}
