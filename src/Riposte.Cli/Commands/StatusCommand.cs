using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Riposte.Cli.Daemon;
using Riposte.State;

namespace Riposte.Cli.Commands;

/// <summary><c>riposte status</c>: the active responses, with keys, offense count and time left.</summary>
internal static class StatusCommand
{
    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var settings = HomeOptions.CreateSettings();
        var format = HomeOptions.CreateFormat();
        var command = new Command("status", "List active responses: keys, AR name, offense count, expiry and seconds left.") { home, settings, format };
        command.SetAction(async (parse, ct) =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            var entries = await ReadAsync(layout, ct);
            var now = TimeProvider.System.GetUtcNow();
            io.Out.Write(parse.GetValue(format) == "json" ? ToJson(entries, now) + "\n" : ToText(entries, now));
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static async Task<IReadOnlyList<TimeoutEntry>> ReadAsync(RiposteHome layout, CancellationToken ct)
    {
        if (!SqliteStateStore.Exists(layout.StatePath))
        {
            return [];
        }

        await using var store = await SqliteStateStore.OpenReadOnlyAsync(layout.StatePath, TimeProvider.System, ct);
        return await store.ListTimeoutsAsync(ct);
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
}
