using System.Globalization;
using System.Text;
using Riposte.Events;
using Riposte.State;

namespace Riposte.Cli.Events;

/// <summary>What <c>riposte top</c> shows: the active count, events per kind in the last minute and hour, top responses and rules.</summary>
/// <param name="At">When it was taken.</param>
/// <param name="Active">Active responses (timeout entries, each undone when its time is up).</param>
/// <param name="Kinds">Per kind seen in the last hour: (kind, last minute, last hour), in <see cref="ResponseEventKinds.All"/>'s order.</param>
/// <param name="TopResponses">The responses with the most events in the last hour, most first.</param>
/// <param name="TopRules">The alert rules behind the most events in the last hour, most first.</param>
/// <param name="Capped">True when the hour held more events than were counted.</param>
internal sealed record TopSummary(DateTimeOffset At, int Active, IReadOnlyList<(string Kind, int Minute, int Hour)> Kinds,
    IReadOnlyList<(string Name, int Count)> TopResponses, IReadOnlyList<(string Rule, int Count)> TopRules, bool Capped)
{
    /// <summary>How many of the last hour's events are counted at most: a summary must stay cheap on a busy host.</summary>
    public const int MaxEvents = 100_000;

    private const int Top = 5;

    /// <summary>The summary of <paramref name="store"/> at <paramref name="now"/>.</summary>
    public static async Task<TopSummary> TakeAsync(SqliteStateStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await store.QueryAuditAsync(new AuditQuery(Since: now.AddHours(-1), Limit: MaxEvents), cancellationToken);
        var events = rows.Select(r => ResponseEventMapper.FromAudit(r)).ToList();
        var minuteAgo = now.AddMinutes(-1);
        var kinds = ResponseEventKinds.All
            .Select(k => (Kind: k, Minute: events.Count(e => e.Event == k && e.At >= minuteAgo), Hour: events.Count(e => e.Event == k)))
            .Where(k => k.Hour > 0)
            .ToList();
        // A continue is the first half of an add: counting both would rank stateful responses twice.
        var acts = events.Where(e => e.Event != ResponseEventKinds.Continue).ToList();
        return new TopSummary(now, await store.CountTimeoutsAsync(cancellationToken), kinds,
            Rank(acts.Select(e => e.Response)), Rank(acts.Select(e => e.RuleId)), rows.Count >= MaxEvents);
    }

    private static List<(string, int)> Rank(IEnumerable<string?> names) =>
        [.. names.OfType<string>().GroupBy(n => n, StringComparer.Ordinal).Select(g => (g.Key, g.Count()))
            .OrderByDescending(p => p.Item2).ThenBy(p => p.Key, StringComparer.Ordinal).Take(Top)];

    /// <summary>The summary as text, a few lines.</summary>
    public string Format(string home)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"riposte top  {CliJson.Timestamp(At)}  {home}");
        text.AppendLine(CultureInfo.InvariantCulture, $"active responses: {Active}");
        text.AppendLine();
        if (Kinds.Count == 0)
        {
            text.AppendLine("no events in the last hour");
        }
        else
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{"event",-14} {"last minute",11} {"last hour",10}{(Capped ? $" (the newest {MaxEvents} only)" : "")}");
            foreach (var (kind, minute, hour) in Kinds)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{kind,-14} {minute,11} {hour,10}");
            }
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"top responses (last hour): {List(TopResponses)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"top rules (last hour):     {List(TopRules)}");
        return text.ToString();
    }

    private static string List(IReadOnlyList<(string Name, int Count)> ranked) =>
        ranked.Count == 0 ? "-" : string.Join(", ", ranked.Select(r => $"{r.Name} {r.Count}"));
}
