using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Riposte.Cli.Daemon;
using Riposte.Fleet.View;
using Riposte.State;

namespace Riposte.Cli.Commands;

/// <summary>
/// <c>riposte status</c>: the active responses, with keys, offense count and time left; on a fleet manager, also those on
/// its agents (from the fleet view), with an agent column.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var settings = HomeOptions.CreateSettings();
        var format = HomeOptions.CreateFormat();
        var agent = FleetAgentOption.Create("the active responses");
        var command = new Command("status", "List active responses: keys, AR name, offense count, expiry and seconds left.") { home, settings, format, agent };
        command.SetAction(async (parse, ct) =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            var filter = FleetAgentOption.Normalize(parse.GetValue(agent));
            var entries = filter is null or FleetAgentOption.Manager ? await ReadAsync(layout, ct) : [];
            var now = TimeProvider.System.GetUtcNow();
            var json = parse.GetValue(format) == "json";
            var fleetView = FleetAgentOption.FleetViewPath(layout);
            WarnIfNoHome(layout, fleetView, io);
            if (!FleetStore.Exists(fleetView))
            {
                // No fleet: exactly the single-host output.
                io.Out.Write(json ? ToJson(entries, now) + "\n" : ToText(entries, now));
                return ExitCodes.Ok;
            }

            IReadOnlyList<FleetActive> remote = [];
            if (filter is not FleetAgentOption.Manager)
            {
                await using var store = await FleetStore.OpenReadOnlyAsync(fleetView, TimeProvider.System, ct);
                remote = await store.ListActiveAsync(filter, ct);
            }

            var rows = Merge(entries, remote);
            io.Out.Write(json ? ToFleetJson(rows, now) + "\n" : ToFleetText(rows, now));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A line of the fleet listing: a local entry (agent <see cref="FleetAgentOption.Manager"/>) or an agent's.</summary>
    private sealed record Row(
        string Agent, string RKey, string? Program, string? ArName, IReadOnlyList<string> Keys, string? AlertId, DateTimeOffset AddedAt, DateTimeOffset? ExpiresAt, int? Offense);

    // Soonest expiry first across the fleet (unknown expiries last), the manager's own before its agents' on a tie.
    private static List<Row> Merge(IReadOnlyList<TimeoutEntry> local, IReadOnlyList<FleetActive> remote) =>
    [
        .. local.Select(e => new Row(FleetAgentOption.Manager, e.RKey, e.Program, e.ArName, e.Keys, e.AlertId, e.AddedAt, e.ExpiresAt, e.Offense))
            .Concat(remote.Select(a => new Row(a.Agent, a.RKey, null, a.ArName, a.Keys, a.AlertId, a.AddedAt, a.ExpiresAt, null)))
            .OrderBy(r => r.ExpiresAt ?? DateTimeOffset.MaxValue)
            .ThenBy(r => r.Agent == FleetAgentOption.Manager ? 0 : 1)
            .ThenBy(r => r.Agent, StringComparer.Ordinal)
            .ThenBy(r => r.RKey, StringComparer.Ordinal),
    ];

    private static long? Remaining(DateTimeOffset? expiresAt, DateTimeOffset now) =>
        expiresAt is { } at ? Math.Max(0, (long)Math.Ceiling((at - now).TotalSeconds)) : null;

    internal static async Task<IReadOnlyList<TimeoutEntry>> ReadAsync(RiposteHome layout, CancellationToken ct)
    {
        if (!SqliteStateStore.Exists(layout.StatePath))
        {
            return [];
        }

        await using var store = await SqliteStateStore.OpenReadOnlyAsync(layout.StatePath, TimeProvider.System, ct);
        return await store.ListTimeoutsAsync(ct);
    }

    /// <summary>
    /// An empty listing from a home nobody named, holding no state, is more likely a missing <c>--home</c> than a quiet
    /// system: say so on stderr (the listing and the exit code stay what they are).
    /// </summary>
    internal static void WarnIfNoHome(RiposteHome layout, string fleetView, CliIo io)
    {
        if (layout.FallbackHint is { } hint && !SqliteStateStore.Exists(layout.StatePath) && !FleetStore.Exists(fleetView))
        {
            io.Error.WriteLine($"no state at {layout.StatePath}");
            io.Error.WriteLine(hint);
        }
    }

    internal static long Remaining(TimeoutEntry entry, DateTimeOffset now) =>
        Math.Max(0, (long)Math.Ceiling((entry.ExpiresAt - now).TotalSeconds));

    private static string ToJson(IReadOnlyList<TimeoutEntry> entries, DateTimeOffset now)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, CliJson.Relaxed))
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                w.WriteStartObject();
                w.WriteString("rkey", e.RKey);
                w.WriteString("program", e.Program);
                w.WriteString("ar", e.ArName);
                w.WriteStartArray("keys");
                foreach (var key in e.Keys)
                {
                    w.WriteStringValue(key);
                }

                w.WriteEndArray();
                w.WriteString("added_at", CliJson.Timestamp(e.AddedAt));
                w.WriteString("expires_at", CliJson.Timestamp(e.ExpiresAt));
                w.WriteNumber("remaining_s", Remaining(e, now));
                w.WriteNumber("offense", e.Offense);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string ToText(IReadOnlyList<TimeoutEntry> entries, DateTimeOffset now)
    {
        if (entries.Count == 0)
        {
            return "no active responses\n";
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"RKEY",-40} {"AR",-20} {"OFFENSE",7} {"EXPIRES (UTC)",-20} {"LEFT",8}");
        foreach (var e in entries)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{e.RKey,-40} {e.ArName,-20} {e.Offense,7} {CliJson.Timestamp(e.ExpiresAt),-20} {Remaining(e, now),7}s");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"{entries.Count} active");
        return text.ToString();
    }

    private static string ToFleetJson(IReadOnlyList<Row> rows, DateTimeOffset now)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, CliJson.Relaxed))
        {
            w.WriteStartArray();
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("agent", r.Agent);
                w.WriteString("rkey", r.RKey);
                w.WriteString("program", r.Program);
                w.WriteString("ar", r.ArName);
                w.WriteStartArray("keys");
                foreach (var key in r.Keys)
                {
                    w.WriteStringValue(key);
                }

                w.WriteEndArray();
                w.WriteString("alert_id", r.AlertId);
                w.WriteString("added_at", CliJson.Timestamp(r.AddedAt));
                if (r.ExpiresAt is { } expires)
                {
                    w.WriteString("expires_at", CliJson.Timestamp(expires));
                    w.WriteNumber("remaining_s", Remaining(expires, now)!.Value);
                }
                else
                {
                    w.WriteNull("expires_at");
                    w.WriteNull("remaining_s");
                }

                if (r.Offense is { } offense)
                {
                    w.WriteNumber("offense", offense);
                }
                else
                {
                    w.WriteNull("offense");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string ToFleetText(IReadOnlyList<Row> rows, DateTimeOffset now)
    {
        if (rows.Count == 0)
        {
            return "no active responses\n";
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"AGENT",-8} {"RKEY",-40} {"AR",-20} {"OFFENSE",7} {"EXPIRES (UTC)",-20} {"LEFT",8}");
        foreach (var r in rows)
        {
            var offense = r.Offense?.ToString(CultureInfo.InvariantCulture) ?? "-";
            var expires = r.ExpiresAt is { } at ? CliJson.Timestamp(at) : "-";
            var left = Remaining(r.ExpiresAt, now) is { } seconds ? seconds.ToString(CultureInfo.InvariantCulture) + "s" : "-";
            text.AppendLine(CultureInfo.InvariantCulture, $"{r.Agent,-8} {r.RKey,-40} {r.ArName ?? "-",-20} {offense,7} {expires,-20} {left,8}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"{rows.Count} active");
        return text.ToString();
    }
}
