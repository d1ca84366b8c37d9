using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Riposte.Cli.Daemon;
using Riposte.Config.Settings;
using Riposte.State;

namespace Riposte.Cli.Commands;

/// <summary><c>riposte history</c>: the audit trail (every add, abort, delete, failure and kill), newest first.</summary>
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
        var limit = new Option<int>("--limit") { Description = "At most this many events.", DefaultValueFactory = _ => 1000 };
        var command = new Command("history", "Show the audit trail: what ran, when, with what result and output.")
        {
            home, settings, since, key, @event, limit, format,
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

            if (!SqliteStateStore.Exists(layout.StatePath))
            {
                io.Out.Write(parse.GetValue(format) == "json" ? "[]\n" : "no history\n");
                return ExitCodes.Ok;
            }

            await using var store = await SqliteStateStore.OpenReadOnlyAsync(layout.StatePath, TimeProvider.System, ct);
            var records = await store.QueryAuditAsync(new AuditQuery(from, parse.GetValue(key), parse.GetValue(@event), parse.GetValue(limit)), ct);
            io.Out.Write(parse.GetValue(format) == "json" ? ToJson(records) + "\n" : ToText(records));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string ToJson(IReadOnlyList<AuditRecord> records)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, CliJson.Relaxed))
        {
            w.WriteStartArray();
            foreach (var r in records)
            {
                w.WriteStartObject();
                w.WriteNumber("id", r.Id);
                w.WriteString("at", CliJson.Timestamp(r.At));
                w.WriteString("event", r.Event);
                w.WriteString("rkey", r.RKey);
                w.WriteString("program", r.Program);
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

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
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
            var exit = r.ExitCode is { } code ? $" exit {code}" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"{CliJson.Timestamp(r.At)} {r.Event,-8} {r.RKey ?? "-"} {r.ArName ?? ""}{exit} {r.DurationMs}ms {r.Detail}");
            if (!string.IsNullOrWhiteSpace(r.Stderr))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    stderr: {r.Stderr.Trim().Replace("\n", "\n            ", StringComparison.Ordinal)}");
            }
        }

        return text.ToString();
    }
}
