using System.Net;
using Riposte.Config.Settings;
using Riposte.Engine;
using Riposte.State;

namespace Riposte.Safety;

/// <summary>
/// The act-time check on the address and user name a program would act on, driven through the engine with a real
/// child program that records its stdin: a refused message must never reach the program, and must be audited and
/// logged like the other refusals.
/// </summary>
public sealed class EnforcementGuardTests
{
    private static Func<EngineOptions, EngineOptions> Guarded(bool protectHost = true) => o => o with
    {
        Policies = _ => ResponsePolicy.Default,
        Protected = new ProtectedAddresses(protectHost, [IPNetwork.Parse("10.0.0.0/8")], TimeProvider.System,
            () => [(IPAddress.Parse("192.0.2.10"), "an address of this host (eth0)"), (IPAddress.Parse("fe80::10%2"), "an address of this host (eth0)")]),
    };

    private static string WindowsBody(string arName, string ipAddress) =>
        "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-analysisd\"},\"command\":\"" + arName +
        "\",\"parameters\":{\"extra_args\":[],\"alert\":{\"rule\":{\"level\":5,\"id\":\"60122\"},\"id\":\"9.9\",\"agent\":{\"id\":\"002\"}," +
        "\"data\":{\"win\":{\"eventdata\":{\"ipAddress\":\"" + ipAddress + "\"}}}}}}";

    private static string UserBody(string arName, string user) =>
        "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-analysisd\"},\"command\":\"" + arName +
        "\",\"parameters\":{\"extra_args\":[],\"alert\":{\"rule\":{\"level\":10,\"id\":\"5503\"},\"id\":\"3.3\",\"data\":{\"dstuser\":\"" + user + "\"}}}}";

    private static async Task<AuditRecord> SingleSkipAsync(EngineHarness h) =>
        (await h.Store.QueryAuditAsync(new AuditQuery(Event: "skip"), TestContext.Current.CancellationToken)).ShouldHaveSingleItem();

    [Fact]
    public async Task A_shell_command_in_a_windows_event_address_never_reaches_netsh()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf("netsh", timeout: 300), Guarded());
        h.WriteProgram("netsh", EngineHarness.RecordingProgram);

        var outcome = await h.ExecAsync(WindowsBody("netsh300", "1.2.3.4; touch X"));

        outcome.Result.ShouldBe(ExecResult.Refused);
        outcome.Detail.ShouldContain("'1.2.3.4; touch X' is not a numeric IP address");
        h.Calls().ShouldBeEmpty();
        File.Exists(Path.Combine(h.Home, "X")).ShouldBeFalse();
        (await h.Store.CountTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        (await SingleSkipAsync(h)).Detail!.ShouldContain("not a numeric IP address");
        File.ReadAllText(h.Engine.Log.Path).ShouldContain("riposte: Refused active-response/bin/netsh: ");
    }

    [Theory]
    [InlineData("1.2.3.4; touch X")]
    [InlineData("$(id)")]
    [InlineData("`id`")]
    [InlineData("example.com")]
    [InlineData("127.1")]
    [InlineData("0x7f.1")]
    [InlineData("0127.0.0.1")]
    [InlineData("2130706433")]
    [InlineData("1.2.3.0/24")]
    [InlineData("fe80::1%eth0")]
    [InlineData(" 203.0.113.5")]
    [InlineData("203.0.113.5\\t")]
    [InlineData("")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("::ffff:0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("ff02::1")]
    [InlineData("255.255.255.255")]
    public async Task Only_numeric_unicast_addresses_are_acted_on(string srcip)
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), Guarded());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        var outcome = await h.ExecAsync(EngineHarness.Body("firewall-drop600", srcip));

        outcome.Result.ShouldBe(ExecResult.Refused);
        h.Calls().ShouldBeEmpty();
        (await h.Store.CountTimeoutsAsync(TestContext.Current.CancellationToken)).ShouldBe(0);
        await SingleSkipAsync(h);
    }

    [Theory]
    [InlineData("::ffff:7f00:1", "a loopback address")]
    [InlineData("::ffff:127.0.0.1", "a loopback address")]
    [InlineData("::FFFF:127.0.0.1", "a loopback address")]
    [InlineData("0:0:0:0:0:ffff:7f00:1", "a loopback address")]
    [InlineData("0000:0000:0000:0000:0000:0000:0000:0001", "a loopback address")]
    [InlineData("::127.0.0.1", "a loopback address")]
    [InlineData("::ffff:c000:20a", "an address of this host (eth0)")]
    [InlineData("fe80::10", "an address of this host (eth0)")]
    [InlineData("::ffff:10.1.2.3", "in the allowlist")]
    public async Task Every_spelling_of_a_protected_address_is_refused(string srcip, string why)
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), Guarded());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        var outcome = await h.ExecAsync(EngineHarness.Body("firewall-drop600", srcip));

        outcome.Result.ShouldBe(ExecResult.Refused);
        outcome.Detail.ShouldContain(why);
        h.Calls().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_forged_log_line_in_a_refused_address_stays_on_one_line()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), Guarded());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        const string forged = "2025/11/27 10:00:00 active-response/bin/firewall-drop: {\\\"command\\\":\\\"add\\\"}";

        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "1.2.3.4\\n" + forged.Replace("\\\"", "'", StringComparison.Ordinal)))).Result.ShouldBe(ExecResult.Refused);

        var lines = File.ReadAllLines(h.Engine.Log.Path);
        lines.ShouldHaveSingleItem().ShouldContain("riposte: Refused active-response/bin/firewall-drop: the address '1.2.3.4\\n2025/11/27");
    }

    [Fact]
    public async Task A_nul_ends_the_address_so_the_program_gets_exactly_what_was_checked()
    {
        // cJSON strings are C strings: execd (and Riposte, byte for byte) re-prints "203.0.113.5\u0000; id" as "203.0.113.5".
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), Guarded());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.5\\u0000; id"))).Result.ShouldBe(ExecResult.Continued);

        var add = h.Calls().First(c => c.Line == 1).Text;
        add.ShouldContain("\"srcip\":\"203.0.113.5\"");
        add.ShouldNotContain("; id");
    }

    [Fact]
    public async Task A_valid_address_still_runs()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), Guarded());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "203.0.113.5"))).Result.ShouldBe(ExecResult.Continued);
        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "2001:db8::5", "1.2"))).Result.ShouldBe(ExecResult.Continued);
        h.Calls().Count(c => c.Line == 1).ShouldBe(2);
    }

    [Theory]
    [InlineData("a;b")]
    [InlineData("$(id)")]
    [InlineData("`id`")]
    [InlineData("root")]
    [InlineData("-oProxyCommand")]
    [InlineData("a b")]
    [InlineData("test$user")]
    [InlineData("../root")]
    [InlineData("")]
    public async Task Disable_account_never_gets_an_unsafe_user_name(string user)
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf("disable-account"), Guarded());
        h.WriteProgram("disable-account", EngineHarness.RecordingProgram);

        var outcome = await h.ExecAsync(UserBody("disable-account600", user));

        outcome.Result.ShouldBe(ExecResult.Refused);
        outcome.Detail.ShouldContain("user name");
        h.Calls().ShouldBeEmpty();
        (await SingleSkipAsync(h)).Keys.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("alice.smith")]
    [InlineData("alice@corp.example")]
    [InlineData("WKS01$")]
    public async Task Disable_account_runs_for_a_valid_user_name(string user)
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf("disable-account"), Guarded());
        h.WriteProgram("disable-account", EngineHarness.RecordingProgram);

        (await h.ExecAsync(UserBody("disable-account600", user))).Result.ShouldNotBe(ExecResult.Refused);
        h.Calls().ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_custom_program_gets_no_shell_metacharacters_in_the_user_name_but_may_see_root()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf("custom-block"), Guarded());
        h.WriteProgram("custom-block", EngineHarness.RecordingProgram);

        (await h.ExecAsync(UserBody("custom-block600", "$(id)"))).Result.ShouldBe(ExecResult.Refused);
        h.Calls().ShouldBeEmpty();
        (await h.ExecAsync(UserBody("custom-block600", "root"))).Result.ShouldNotBe(ExecResult.Refused);
    }

    [Fact]
    public async Task A_firewall_block_does_not_depend_on_the_user_name_it_does_not_act_on()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), Guarded());
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);
        var body = EngineHarness.Body("firewall-drop600", "203.0.113.5").Replace("\"srcip\"", "\"dstuser\":\"root\",\"srcip\"", StringComparison.Ordinal);

        (await h.ExecAsync(body)).Result.ShouldBe(ExecResult.Continued);
    }

    [Fact]
    public async Task Invalid_addresses_are_refused_even_when_host_protection_is_off()
    {
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(), Guarded(protectHost: false));
        h.WriteProgram("firewall-drop", EngineHarness.RecordingProgram);

        (await h.ExecAsync(EngineHarness.Body("firewall-drop600", "1.2.3.4; touch X"))).Result.ShouldBe(ExecResult.Refused);
        h.Calls().ShouldBeEmpty();
    }
}
