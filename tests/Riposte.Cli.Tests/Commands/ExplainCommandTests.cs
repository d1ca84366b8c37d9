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
}
