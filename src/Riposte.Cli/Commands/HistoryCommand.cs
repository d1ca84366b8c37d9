using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Riposte.Cli.Daemon;
using Riposte.Config.Settings;
using Riposte.Fleet.View;
using Riposte.State;

namespace Riposte.Cli.Commands;

/// <summary>
/// <c>riposte history</c>: the audit trail (every add, abort, delete, failure and kill), newest first; on a fleet
/// manager, merged with the fleet's (agents' outcomes, expired and undeliverable commands), with an agent column.
/// </summary>
internal static class HistoryCommand
{
    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var settings = HomeOptions.CreateSettings();
        var format = HomeOptions.CreateFormat();
        var since = new Option<string?>("--since") { Description = "A duration back from now (\"1h\", \"7d\") or an ISO 8601 time." };
        var key = new Option<string?>("--key") { Description = "Only events for this rkey or key (e.g. an IP)." };
        var @event = new Option<string?>("--event") { Description = "Only this event (add, continue, abort, delete, revoke, failure, kill, skip)." };
        var limit = new Option<int>("--limit") { Description = "At most this many events (with --follow, the last ones shown first; default 10).", DefaultValueFactory = _ => 1000 };
        var follow = new Option<bool>("--follow")
        {
            Description = "Show the last events, then each new one as the daemon records it (one line each; --format json: one event object a line) until Ctrl-C.",
        };
        var agent = FleetAgentOption.Create("the events");
        var command = new Command("history", "Show the audit trail: what ran, when, with what result and output.")
        {
            home, settings, since, key, @event, limit, format, agent, follow,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } text)
            {
                if (DurationSyntax.TryParse(text, out var back, out _))
                {
                    from = TimeProvider.System.GetUtcNow() - back;
                }
                else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    from = at;
                }
                else
                {
                    io.Error.WriteLine($"--since '{text}' is neither a duration nor a time");
                    return ExitCodes.Usage;
                }
            }

            if (parse.GetValue(follow))
            {
                if (FleetAgentOption.Normalize(parse.GetValue(agent)) is { } only && only != FleetAgentOption.Manager)
                {
                    io.Error.WriteLine("--follow shows this host's events; it does not follow fleet agents (use --agent without --follow)");
                    return ExitCodes.Usage;
                }

                // journalctl -f shows 10 lines first; an explicit --limit says how many.
                var last = parse.GetResult(limit) is { Implicit: false } ? parse.GetValue(limit) : 10;
                return await HistoryFollow.RunAsync(layout, new HistoryFilter(from, parse.GetValue(key), parse.GetValue(@event)), last,
                    parse.GetValue(format) == "json", io, ct);
            }

            var filter = FleetAgentOption.Normalize(parse.GetValue(agent));
            var fleetView = FleetAgentOption.FleetViewPath(layout);
            var hasFleet = FleetStore.Exists(fleetView);
            StatusCommand.WarnIfNoHome(layout, fleetView, io);
            var json = parse.GetValue(format) == "json";
            IReadOnlyList<AuditRecord> records = [];
            if (SqliteStateStore.Exists(layout.StatePath) && filter is null or FleetAgentOption.Manager)
            {
                await using var store = await SqliteStateStore.OpenReadOnlyAsync(layout.StatePath, TimeProvider.System, ct);
                records = await store.QueryAuditAsync(new AuditQuery(from, parse.GetValue(key), parse.GetValue(@event), parse.GetValue(limit)), ct);
            }

            if (!hasFleet)
            {
                // No fleet: exactly the single-host output.
                io.Out.Write(json ? ToJson(records) + "\n" : ToText(records));
                return ExitCodes.Ok;
            }

            IReadOnlyList<FleetHistoryRow> remote = [];
            if (filter is not FleetAgentOption.Manager)
            {
                await using var fleet = await FleetStore.OpenReadOnlyAsync(fleetView, TimeProvider.System, ct);
                remote = await fleet.QueryHistoryAsync(new FleetHistoryQuery(from, filter, parse.GetValue(key), parse.GetValue(@event), parse.GetValue(limit)), ct);
            }

            // Each side is newest first and at most --limit long, so the merge's first --limit rows are the answer.
            var rows = records.Select(r => new Row(FleetAgentOption.Manager, r))
                .Concat(remote.Select(f => new Row(f.Agent, new AuditRecord(
                    f.Id, f.At, f.Event, f.RKey, f.Program ?? "", f.ArName, f.AlertId, f.Keys, f.ExitCode, f.DurationMs, null, null, f.Detail, f.Source), f.Program is null)))
                .OrderByDescending(r => r.Record.At)
                .Take(parse.GetValue(limit))
                .ToList();
            io.Out.Write(json ? ToFleetJson(rows) + "\n" : ToFleetText(rows));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A line of the fleet's history: a local record (agent <see cref="FleetAgentOption.Manager"/>) or an agent's.</summary>
    private sealed record Row(string Agent, AuditRecord Record, bool NoProgram = false);

    private static string ToJson(IReadOnlyList<AuditRecord> records)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, CliJson.Relaxed))
        {
            w.WriteStartArray();
            foreach (var r in records)
            {
                WriteRecord(w, r, null, noProgram: false);
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string ToFleetJson(IReadOnlyList<Row> rows)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, CliJson.Relaxed))
        {
            w.WriteStartArray();
            foreach (var row in rows)
            {
                WriteRecord(w, row.Record, row.Agent, row.NoProgram);
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    // agent null: the single-host shape, unchanged; otherwise the agent field follows "at".
    private static void WriteRecord(Utf8JsonWriter w, AuditRecord r, string? agent, bool noProgram)
    {
        w.WriteStartObject();
        w.WriteNumber("id", r.Id);
        w.WriteString("at", CliJson.Timestamp(r.At));
        if (agent is not null)
        {
            w.WriteString("agent", agent);
        }

        w.WriteString("event", r.Event);
        w.WriteString("rkey", r.RKey);
        w.WriteString("program", noProgram ? null : r.Program);
        w.WriteString("ar", r.ArName);
        w.WriteString("alert_id", r.AlertId);
        w.WriteStartArray("keys");
        foreach (var k in r.Keys)
        {
            w.WriteStringValue(k);
        }

        w.WriteEndArray();
        if (r.ExitCode is { } exit)
        {
            w.WriteNumber("exit_code", exit);
        }
        else
        {
            w.WriteNull("exit_code");
        }

        w.WriteNumber("duration_ms", r.DurationMs);
        w.WriteString("stdout", r.Stdout);
        w.WriteString("stderr", r.Stderr);
        w.WriteString("detail", r.Detail);
        w.WriteString("source", r.Source);
        w.WriteEndObject();
    }

    private static string ToText(IReadOnlyList<AuditRecord> records)
    {
        if (records.Count == 0)
        {
            return "no history\n";
        }

        var text = new StringBuilder();
        foreach (var r in records)
        {
            AppendLine(text, r, null);
        }

        return text.ToString();
    }

    private static string ToFleetText(IReadOnlyList<Row> rows)
    {
        if (rows.Count == 0)
        {
            return "no history\n";
        }

        var text = new StringBuilder();
        foreach (var row in rows)
        {
            AppendLine(text, row.Record, row.Agent);
        }

        return text.ToString();
    }

    // agent null: the single-host line, unchanged; otherwise the agent column follows the time.
    private static void AppendLine(StringBuilder text, AuditRecord r, string? agent)
    {
        var exit = r.ExitCode is { } code ? $" exit {code}" : "";
        var who = agent is null ? "" : $"{agent,-7} ";
        text.AppendLine(CultureInfo.InvariantCulture, $"{CliJson.Timestamp(r.At)} {who}{r.Event,-8} {r.RKey ?? "-"} {r.ArName ?? ""}{exit} {r.DurationMs}ms {r.Detail}");
        if (!string.IsNullOrWhiteSpace(r.Stderr))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    stderr: {r.Stderr.Trim().Replace("\n", "\n            ", StringComparison.Ordinal)}");
        }
    }
}
