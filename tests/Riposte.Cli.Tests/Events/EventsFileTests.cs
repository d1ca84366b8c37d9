using System.Text.Json;

namespace Riposte.Cli.Events;

/// <summary><c>riposte serve</c> appends every event to HOME/logs/riposte-events.json, for Wazuh's logcollector.</summary>
public sealed class EventsFileTests(EventScenario scenario) : IClassFixture<EventScenario>
{
    private static readonly string[] AlwaysPresent = ["id", "time", "event", "severity", "keys", "duration_ms"];

    [Fact]
    public void Every_line_is_one_json_object_marked_as_riposte_with_the_documented_fields()
    {
        scenario.Lines.ShouldNotBeEmpty();
        foreach (var line in scenario.Parsed)
        {
            line.GetProperty("integration").GetString().ShouldBe("riposte");
            var riposte = line.GetProperty("riposte");
            foreach (var field in AlwaysPresent)
            {
                riposte.TryGetProperty(field, out _).ShouldBeTrue($"{field} missing in {line}");
            }

            // Nulls are left out: a field a Wazuh rule sees has a value.
            riposte.EnumerateObject().ShouldAllBe(p => p.Value.ValueKind != JsonValueKind.Null);
        }
    }

    [Fact]
    public void Every_recorded_event_is_in_the_file_once_in_order_with_its_values()
    {
        var ids = scenario.Parsed.Select(l => l.GetProperty("riposte").GetProperty("id").GetInt64()).ToList();
        ids.ShouldBe([.. scenario.Audit.Select(r => r.Id)], string.Join("\n", scenario.Lines));

        var add = scenario.Parsed.Select(l => l.GetProperty("riposte")).First(r => r.GetProperty("event").GetString() == "add");
        add.GetProperty("response").GetString().ShouldBe("firewall-drop2");
        add.GetProperty("target").GetString().ShouldBe("192.0.2.1");
        add.GetProperty("alert_id").GetString().ShouldBe("1.1");
        add.GetProperty("severity").GetString().ShouldBe("info");
        add.GetProperty("exit_code").GetInt32().ShouldBe(0);
    }

    [Fact]
    public void The_kinds_a_reader_tells_apart_are_named_in_the_file()
    {
        var kinds = scenario.Parsed.Select(l => l.GetProperty("riposte").GetProperty("event").GetString()).ToHashSet();
        new[] { "add", "abort", "delete", "failure", "kill", "refused", "rate-limited" }.ShouldBeSubsetOf(kinds);
        var failure = scenario.Parsed.Select(l => l.GetProperty("riposte")).First(r => r.GetProperty("event").GetString() == "failure");
        failure.GetProperty("severity").GetString().ShouldBe("error");
    }

    [Fact]
    public void The_file_is_created_rw_r_____()
    {
        File.GetUnixFileMode(EventsFileWriter.PathIn(scenario.Home.Path)).ShouldBe(EventsFileWriter.FileMode);
    }
}
