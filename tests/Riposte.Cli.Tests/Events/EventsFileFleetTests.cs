using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Riposte.Fleet.Messages;
using Riposte.Fleet.View;
using Riposte.State;

namespace Riposte.Cli.Events;

/// <summary>On a manager, the fleet's history reaches the events file too: the agents' outcomes, attributed to their agent.</summary>
public sealed class EventsFileFleetTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("riposte-events-fleet-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Agents_outcomes_are_written_once_each_from_the_newest_on_across_a_restart_of_the_writer()
    {
        await using var store = await SqliteStateStore.OpenAsync(Path.Combine(_home, "riposte", "state.db"), TimeProvider.System, Ct);
        await using var fleet = await FleetStore.OpenAsync(Path.Combine(_home, "riposte", "fleet.db"), TimeProvider.System, Ct);
        await fleet.RecordOutcomeAsync(Outcome(1, AuditEvents.Add, "old"), Ct);

        var writer = EventsFileWriter.Start(_home, store, NullLogger.Instance, new FleetEventSource(fleet));
        // The first start takes its place (the newest row) in the background; what comes after is written.
        await TestHome.WaitForAsync(() => store.GetCheckpointAsync("events:file:fleet", Ct).AsTask().Result is not null, "the writer's first place");
        await fleet.RecordOutcomeAsync(Outcome(2, AuditEvents.Failure, "exited with code 1"), Ct);
        await TestHome.WaitForAsync(() => Lines().Count == 1, "the agent's failure in the events file");
        await writer.StopAsync();

        await fleet.RecordOutcomeAsync(Outcome(3, AuditEvents.Delete, "reverted"), Ct);
        writer = EventsFileWriter.Start(_home, store, NullLogger.Instance, new FleetEventSource(fleet));
        await TestHome.WaitForAsync(() => Lines().Count == 2, "the delete recorded while the writer was stopped");
        await writer.StopAsync();

        var lines = Lines();
        lines.Select(l => (l.GetProperty("agent").GetString(), l.GetProperty("event").GetString())).ShouldBe([("003", "failure"), ("003", "delete")],
            "the outcome from before the first start is not replayed, and none is written twice");
        lines[0].GetProperty("severity").GetString().ShouldBe("error");
        (await store.GetCheckpointAsync("events:file:fleet", Ct)).ShouldNotBeNull();
        (await store.GetCheckpointAsync(EventsFileWriter.CheckpointName, Ct)).ShouldBeNull("this host's own position is another checkpoint");
    }

    private List<JsonElement> Lines()
    {
        var path = EventsFileWriter.PathIn(_home);
        return File.Exists(path)
            ? [.. File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("riposte").Clone())]
            : [];
    }

    private static AgentOutcome Outcome(long seq, string @event, string detail) => new(
        "003", "inst-1", seq, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), @event, "firewall-drop-203.0.113.5", "active-response/bin/firewall-drop",
        "firewall-drop600", "a1", ["203.0.113.5"], @event == AuditEvents.Failure ? 1 : 0, 5, detail, "fleet:x", null);
}
