using System.Net;
using Microsoft.Extensions.Time.Testing;
using Riposte.Config.Settings;
using Riposte.Matching;
using Riposte.Safety;
using Riposte.State;

namespace Riposte.Engine;

public sealed class EnforcementTests
{
    private static Func<EngineOptions, EngineOptions> With(ResponsePolicy policy, string? whiteList = null) => o => o with
    {
        Policies = _ => policy,
        Protected = new ProtectedAddresses(true, [IPNetwork.Parse("10.0.0.0/8")], TimeProvider.System, () => [(IPAddress.Parse("192.0.2.10"), "an address of this host (eth0)")]),
        WhiteList = whiteList is null ? null : Config.OssecConfigReader.ReadText($"<ossec_config><global><white_list>{whiteList}</white_list></global></ossec_config>").Config!.WhiteList,
    };

    [Theory]
    [InlineData("127.0.0.1", "a loopback address")]
    [InlineData("192.0.2.10", "an address of this host")]
    [InlineData("10.20.30.40", "in the allowlist")]
    [InlineData("172.16.5.5", "in Wazuh's white list")]
    [InlineData("198.51.100.5", "in this response's allowlist")]
    public async Task Protected_addresses_are_never_blocked(string ip, string why)
    {
        var policy = ResponsePolicy.Default with { Allowlist = [IPNetwork.Parse("198.51.100.0/24")] };
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), With(policy, "172.16.0.0/12"));
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        var outcome = await h.ExecAsync(EngineHarness.Body("firewall-drop600", ip));

        outcome.Result.ShouldBe(ExecResult.Refused);
        outcome.Detail.ShouldContain(why);
        h.Calls().ShouldBeEmpty();
        File.ReadAllText(h.Engine.Log.Path).ShouldContain("riposte: Refused active-response/bin/firewall-drop: " + ip);
        (await h.Store.QueryAuditAsync(new AuditQuery(Event: "skip"), TestContext.Current.CancellationToken)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Windows_event_addresses_are_checked_too()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), With(ResponsePolicy.Default));
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        var body = """{"version":1,"origin":{"name":"n","module":"wazuh-analysisd"},"command":"firewall-drop600","parameters":{"extra_args":[],"alert":{"id":"9.9","data":{"win":{"eventdata":{"ipAddress":"127.0.0.1"}},"srcip":"203.0.113.1"}}}}""";

        (await h.ExecAsync(body)).Result.ShouldBe(ExecResult.Refused);
    }

    [Fact]
    public async Task Dry_run_records_the_decision_and_changes_nothing()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), With(ResponsePolicy.Default with { DryRun = true }));
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        var outcome = await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.5"));

        outcome.Result.ShouldBe(ExecResult.DryRun);
        h.Calls().ShouldBeEmpty();
        (await h.Store.CountTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        var audit = (await h.Store.QueryAuditAsync(new AuditQuery(Event: "dry-run"), TestContext.Current.CancellationToken)).ShouldHaveSingleItem();
        audit.Keys.ShouldBe(["203.0.113.5"]);
    }

    [Fact]
    public async Task New_blocks_per_minute_are_capped()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 11, 27, 10, 0, 0, TimeSpan.Zero));
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), With(ResponsePolicy.Default with { MaxNewPerMinute = 2 }), time);
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        var results = new List<ExecResult>();
        for (var i = 1; i <= 3; i++)
        {
            results.Add((await h.ExecAsync(EngineHarness.Body("firewall-drop600", $"203.0.113.{i}"))).Result);
        }

        results.ShouldBe([ExecResult.Continued, ExecResult.Continued, ExecResult.RateLimited]);
        h.Calls().Where(c => c.Line == 2).Select(c => c.Text.Contains("\"command\":\"abort\"")).ShouldBe([false, false, true]);
        (await h.Store.CountTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldBe(2);

        time.Advance(TimeSpan.FromMinutes(1));
        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.4"))).Result.ShouldBe(ExecResult.Continued);
    }

    [Fact]
    public async Task Per_response_escalation_overrides_repeated_offenders()
    {
        var policy = ResponsePolicy.Default with { Escalation = [TimeSpan.FromHours(1), TimeSpan.FromDays(1)] };
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), With(policy));
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.45"));
        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.45"))).Result.ShouldBe(ExecResult.Aborted);

        (await h.Store.ListTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldHaveSingleItem().DurationSeconds.ShouldBe(3600);
    }
}
