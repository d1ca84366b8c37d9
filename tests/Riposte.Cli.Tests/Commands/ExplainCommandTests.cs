using System.Text.Json;

namespace Riposte.Cli.Commands;

public sealed class ExplainCommandTests
{
    private static async Task<JsonElement[]> ExplainFixture()
    {
        var result = await CliRunner.RunAsync(["explain", "--config", Fixtures.ManagerConfig, "--alerts", Fixtures.Alerts, "--format", "json"]);
        result.ExitCode.ShouldBe(0, result.Error);
        return [.. result.OutLines.Select(l => JsonDocument.Parse(l).RootElement)];
    }

    private static string[] Actions(JsonElement line) =>
        [.. line.GetProperty("actions").EnumerateArray().Select(a => $"{a.GetProperty("ar").GetString()}@{a.GetProperty("target").GetString()}")];

    [Fact]
    public async Task Fixture_expectations_spec_9_5()
    {
        var lines = await ExplainFixture();

        lines.Length.ShouldBe(10);
        Actions(lines[0]).ShouldBeEmpty();
        Actions(lines[1]).ShouldBe(["firewall-drop600@001"]);
        Actions(lines[2]).ShouldBeEmpty();
        Actions(lines[3]).ShouldBe(["firewall-drop600@001", "host-deny60@001"]);
        Actions(lines[4]).ShouldBe(["firewall-drop1800@001"]);
        Actions(lines[5]).ShouldBeEmpty();
        Actions(lines[6]).ShouldBeEmpty();
        Actions(lines[7]).ShouldBe(["netsh300@002"]);
        Actions(lines[8]).ShouldBe(["firewall-drop600@001"]);
        Actions(lines[9]).ShouldBeEmpty();
        lines[9].GetProperty("skipped")[0].GetProperty("reason").GetString().ShouldBe("white_list");
    }

    [Fact]
    public async Task Message_bodies_are_byte_exact()
    {
        var result = await CliRunner.RunAsync(["explain", "-c", Fixtures.ManagerConfig, "--alerts", Fixtures.Alerts, "--format", "json"]);
        var lines = result.OutLines;

        RawMessage(lines[1], 0).ShouldBe(Fixtures.WireBody("A1"));
        RawMessage(lines[3], 0).ShouldBe(Fixtures.WireBody("B1", 0));
        RawMessage(lines[3], 1).ShouldBe(Fixtures.WireBody("B1", 1));
        RawMessage(lines[7], 0).ShouldBe(Fixtures.WireBody("C1"));
    }

    /// <summary>The message object's exact text, cut out of the output line (not re-serialized).</summary>
    private static string RawMessage(string line, int index)
    {
        var position = -1;
        for (var i = 0; i <= index; i++)
        {
            position = line.IndexOf("\"message\":", position + 1, StringComparison.Ordinal);
        }

        var start = position + "\"message\":".Length;
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(line[start..]));
        reader.Read();
        reader.Skip();
        return System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(line[start..]).AsSpan(0, (int)reader.BytesConsumed));
    }

    [Fact]
    public async Task Json_line_has_the_documented_shape()
    {
        var lines = await ExplainFixture();
        var line = lines[1];

        line.EnumerateObject().Select(p => p.Name).ShouldBe(["line", "alert_id", "rule_id", "actions", "skipped"]);
        line.GetProperty("line").GetInt32().ShouldBe(2);
        line.GetProperty("alert_id").GetString().ShouldBe("1764238317.108876");
        line.GetProperty("rule_id").GetString().ShouldBe("5712");
        var action = line.GetProperty("actions")[0];
        action.EnumerateObject().Select(p => p.Name).ShouldBe(["ar", "command", "executable", "location", "target", "timeout", "message"]);
        action.GetProperty("command").GetString().ShouldBe("firewall-drop");
        action.GetProperty("executable").GetString().ShouldBe("firewall-drop");
        action.GetProperty("location").GetString().ShouldBe("local");
        action.GetProperty("timeout").GetInt32().ShouldBe(600);
        var skipped = line.GetProperty("skipped").EnumerateArray().Select(s => $"{s.GetProperty("ar").GetString()}:{s.GetProperty("reason").GetString()}");
        skipped.ShouldBe(["firewall-drop1800:not_matched", "netsh300:not_matched", "host-deny60:not_matched", "slack-notify0:not_matched",
            "restart-wazuh0:not_matched", "route-null0:disabled", "route-null0:not_matched"]);
    }

    [Fact]
    public async Task Malformed_lines_are_reported_and_processing_continues()
    {
        var input = File.ReadAllLines(Fixtures.Alerts)[1] + "\n{oops\n" + File.ReadAllLines(Fixtures.Alerts)[3] + "\n";

        var result = await CliRunner.RunAsync(["explain", "-c", Fixtures.ManagerConfig, "--alerts", "-", "--format", "json"], input);

        result.ExitCode.ShouldBe(2);
        result.OutLines.Length.ShouldBe(3);
        var error = JsonDocument.Parse(result.OutLines[1]).RootElement;
        error.EnumerateObject().Select(p => p.Name).ShouldBe(["line", "error"]);
        error.GetProperty("line").GetInt32().ShouldBe(2);
        JsonDocument.Parse(result.OutLines[2]).RootElement.GetProperty("line").GetInt32().ShouldBe(3);
        result.Error.ShouldContain("-:2: malformed alert at byte offset");
    }

    [Fact]
    public async Task Text_format_explains_in_words()
    {
        var result = await CliRunner.RunAsync(["explain", "-c", Fixtures.ManagerConfig, "--alerts", Fixtures.Alerts]);

        result.ExitCode.ShouldBe(0);
        result.Out.ShouldContain("FIRES firewall-drop600 -> 001");
        result.Out.ShouldContain("skip  firewall-drop600: white_list: srcip '10.0.0.2' is white-listed");
    }

    [Fact]
    public async Task Invalid_config_exits_2_with_positions()
    {
        var dir = Directory.CreateTempSubdirectory("riposte-cli-");
        try
        {
            var conf = Path.Combine(dir.FullName, "bad.conf");
            await File.WriteAllTextAsync(conf, "<ossec_config>\n  <active-response>\n    <command>nope</command>\n    <location>local</location>\n  </active-response>\n</ossec_config>\n", TestContext.Current.CancellationToken);

            var result = await CliRunner.RunAsync(["explain", "-c", conf, "--alerts", Fixtures.Alerts]);

            result.ExitCode.ShouldBe(2);
            result.Error.ShouldContain($"{conf}:2:3: error (1303): Invalid command 'nope' in the active response.");
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public async Task Bad_format_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync(["explain", "-c", Fixtures.ManagerConfig, "--alerts", Fixtures.Alerts, "--format", "xml"]);

        result.ExitCode.ShouldBe(1);
    }

    /// <summary>The fixture's brute-force alert (rule 5712, fires firewall-drop600) with its srcip bytes replaced.</summary>
    private static byte[] BruteForce(byte[] srcip, string fullLog = "x")
    {
        var line = File.ReadAllLines(Fixtures.Alerts)[1]
            .Replace("\"full_log\":\"Nov 27 10:11:57 web-01 sshd[24541]: Invalid user user from 203.0.113.45 port 52360\"", $"\"full_log\":\"{fullLog}\"", StringComparison.Ordinal);
        var parts = line.Split("203.0.113.45\",\"srcport");
        parts.Length.ShouldBe(2);
        return [.. System.Text.Encoding.UTF8.GetBytes(parts[0]), .. srcip, .. "\",\"srcport"u8, .. System.Text.Encoding.UTF8.GetBytes(parts[1]), (byte)'\n'];
    }

    private static byte[] Good => BruteForce("203.0.113.45"u8.ToArray());

    [Fact]
    public async Task Text_explains_a_srcip_with_invalid_utf8_as_an_invalid_srcip_and_goes_on()
    {
        byte[] input = [.. BruteForce([.. "1.2.3."u8, 0xFF]), .. Good];

        var result = await CliRunner.RunAsync(["explain", "-c", Fixtures.ManagerConfig, "--alerts", "-"], input);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Out.ShouldContain("line 1: alert 1764238317.108876, rule 5712 (level 10), agent 001, srcip 1.2.3.\uFFFD");
        result.Out.ShouldContain("skip  firewall-drop600: invalid_srcip: srcip '1.2.3.\uFFFD' has characters analysisd refuses");
        result.Out[result.Out.IndexOf("line 2:", StringComparison.Ordinal)..].ShouldContain("FIRES firewall-drop600 -> 001");
    }

    [Fact]
    public async Task Json_explains_a_srcip_with_invalid_utf8_and_goes_on()
    {
        byte[] input = [.. BruteForce([.. "1.2.3."u8, 0xFF]), .. Good];

        var result = await CliRunner.RunAsync(["explain", "-c", Fixtures.ManagerConfig, "--alerts", "-", "--format", "json"], input);

        result.ExitCode.ShouldBe(0, result.Error);
        var lines = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        lines.Length.ShouldBe(2);
        Actions(lines[0]).ShouldBeEmpty();
        lines[0].GetProperty("skipped").EnumerateArray().Select(s => s.GetProperty("reason").GetString()).ShouldContain("invalid_srcip");
        Actions(lines[1]).ShouldBe(["firewall-drop600@001"]);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task A_lone_surrogate_in_a_skipped_field_is_a_malformed_line_and_the_next_line_is_explained(string format)
    {
        byte[] input = [.. BruteForce("203.0.113.45"u8.ToArray(), fullLog: "a\\ud800b"), .. Good];

        var result = await CliRunner.RunAsync(["explain", "-c", Fixtures.ManagerConfig, "--alerts", "-", "--format", format], input);

        result.ExitCode.ShouldBe(2, result.Error);
        result.Error.ShouldContain("-:1: malformed alert at byte offset 0: ");
        result.Error.ShouldContain("surrogate");
        if (format == "json")
        {
            var lines = result.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            lines.Length.ShouldBe(2);
            lines[0].GetProperty("error").GetString()!.ShouldContain("surrogate");
            Actions(lines[1]).ShouldBe(["firewall-drop600@001"]);
        }
        else
        {
            result.Out.ShouldContain("line 2: alert 1764238317.108876");
            result.Out.ShouldContain("FIRES firewall-drop600 -> 001");
        }
    }

    [Fact]
    public async Task Json_shows_a_message_whose_alert_has_invalid_utf8_as_valid_json()
    {
        // The program gets the raw byte (ArMessageBuilderTests); explain prints text, where it is U+FFFD.
        var fullLog = System.Text.Encoding.Latin1.GetString([.. "bad "u8, 0xFF, 0xC0]);
        byte[] input = [.. System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.UTF8.GetString(Good).Replace("\"full_log\":\"x\"", $"\"full_log\":\"{fullLog}\"", StringComparison.Ordinal))];

        var result = await CliRunner.RunAsync(["explain", "-c", Fixtures.ManagerConfig, "--alerts", "-", "--format", "json"], input);

        result.ExitCode.ShouldBe(0, result.Error);
        var message = JsonDocument.Parse(result.OutLines.ShouldHaveSingleItem()).RootElement.GetProperty("actions")[0].GetProperty("message");
        message.GetProperty("parameters").GetProperty("alert").GetProperty("full_log").GetString().ShouldBe("bad \uFFFD\uFFFD");
    }

    [Fact]
    public async Task Text_escapes_control_characters_from_the_alert()
    {
        var result = await CliRunner.RunAsync(["explain", "-c", Fixtures.ManagerConfig, "--alerts", "-"], """{"id":"a\u001b[2Jb","data":{"dstuser":"x\u0007\ny"}}""" + "\n");

        result.ExitCode.ShouldBe(0, result.Error);
        result.Out.ShouldNotContain("\u001b");
        result.Out.ShouldNotContain("\u0007");
        result.Out.ShouldContain("alert a\\u001b[2Jb");
        result.Out.ShouldContain("dstuser x\\u0007\\ny");
    }

    [Fact]
    public async Task A_fleet_manager_home_shows_each_actions_destinations()
    {
        var home = Directory.CreateTempSubdirectory("riposte-explain-fleet-");
        try
        {
            Directory.CreateDirectory(Path.Combine(home.FullName, "etc", "riposte-fleet"));
            await File.WriteAllTextAsync(Path.Combine(home.FullName, "etc", "riposte-fleet", "agents.json"), """
                { "agents": [
                  { "id": "001", "groups": ["web"] },
                  { "id": "002", "groups": ["web"] },
                  { "id": "005", "transport": "wazuh", "wazuh_version": "4.0.0" } ] }
                """, TestContext.Current.CancellationToken);
            var settings = Path.Combine(home.FullName, "etc", "riposte.json");
            async Task<CliRunner.Result> Explain(bool bridge, string format)
            {
                var remoted = bridge ? ", \"remoted_queue\": \"queue/alerts/ar\"" : "";
                await File.WriteAllTextAsync(settings, $$"""
                    { "fleet": { "role": "manager", "nats_url": "nats://127.0.0.1:4222"{{remoted}} },
                      "responses": { "host-deny": { "route": { "groups": ["web"], "manager": true } } } }
                    """, TestContext.Current.CancellationToken);
                var lines = File.ReadAllLines(Fixtures.Alerts);
                var input = string.Join("\n", lines[3], lines[1].Replace("\"agent\":{\"id\":\"001\"", "\"agent\":{\"id\":\"009\"", StringComparison.Ordinal),
                    lines[1].Replace("\"agent\":{\"id\":\"001\"", "\"agent\":{\"id\":\"005\"", StringComparison.Ordinal)) + "\n";
                var result = await CliRunner.RunAsync(["explain", "-c", Fixtures.ManagerConfig, "--alerts", "-", "--home", home.FullName, "--format", format], input);
                result.ExitCode.ShouldBe(0, result.Error);
                return result;
            }

            var text = (await Explain(bridge: false, "text")).Out;
            text.ShouldContain("FIRES firewall-drop600 -> 001");
            text.ShouldContain("        → agent 001 (location local)");
            text.ShouldContain("FIRES host-deny60 -> 001");
            text.ShouldContain("        → manager\n        → agents 001, 002 (group web)");
            text.ShouldContain("→ undeliverable: agent 009 is not enrolled (location local)");
            text.ShouldContain("→ undeliverable: agent 005 is a Wazuh agent and fleet.remoted_queue is not set (location local)");

            var bridged = (await Explain(bridge: true, "text")).Out;
            bridged.ShouldContain("→ Wazuh agent 009 via remoted (NRN; location local)");
            bridged.ShouldContain("→ Wazuh agent 005 via remoted (NRN; location local)");

            var json = (await Explain(bridge: true, "json")).OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            string Kinds(JsonElement action) => string.Join(" ", action.GetProperty("destinations").EnumerateArray()
                .Select(d => d.GetProperty("kind").GetString() + (d.TryGetProperty("agent", out var a) ? ":" + a.GetString() : "")));
            var hostDeny = json[0].GetProperty("actions")[1];
            hostDeny.GetProperty("ar").GetString().ShouldBe("host-deny60");
            Kinds(hostDeny).ShouldBe("manager riposte_agent:001 riposte_agent:002");
            hostDeny.GetProperty("destinations")[1].GetProperty("because").GetString().ShouldBe("group web");
            Kinds(json[1].GetProperty("actions")[0]).ShouldBe("wazuh_agent:009");
            var wazuh = json[2].GetProperty("actions")[0].GetProperty("destinations")[0];
            wazuh.EnumerateObject().Select(p => p.Name).ShouldBe(["kind", "agent", "flags", "body", "because"]);
            wazuh.GetProperty("flags").GetString().ShouldBe("NRN");
            wazuh.GetProperty("body").GetString().ShouldBe("legacy");
        }
        finally
        {
            home.Delete(true);
        }
    }

    [Fact]
    public async Task Without_a_fleet_there_are_no_destinations()
    {
        var home = Directory.CreateTempSubdirectory("riposte-explain-nofleet-");
        try
        {
            var result = await CliRunner.RunAsync(["explain", "-c", Fixtures.ManagerConfig, "--alerts", Fixtures.Alerts, "--home", home.FullName, "--format", "json"]);

            result.ExitCode.ShouldBe(0, result.Error);
            result.Out.ShouldNotContain("destinations");
        }
        finally
        {
            home.Delete(true);
        }
    }
}
