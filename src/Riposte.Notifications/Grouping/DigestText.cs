using System.Globalization;
using System.Text;
using Riposte.Events;

namespace Riposte.Notifications.Grouping;

/// <summary>The words a message is summed up in, shared by every channel.</summary>
public static class DigestText
{
    /// <summary>How many events a digest carries in full; the rest are counted in its summary only.</summary>
    public const int SampleSize = 20;

    /// <summary>Builds the message for <paramref name="events"/> (oldest first) plus <paramref name="omitted"/> collapsed ones.</summary>
    public static NotificationMessage Build(string target, IReadOnlyList<ResponseEvent> events, int omitted, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(events);
        int count = events.Count + omitted;
        var since = events.Count > 0 ? events[0].At : now;
        string summary = count == 1 && events.Count == 1 ? One(events[0]) : Many(events, omitted, now - since);
        IReadOnlyList<ResponseEvent> sample = events.Count <= SampleSize ? events : [.. events.Skip(events.Count - SampleSize)];
        return new NotificationMessage(target, sample, count, omitted, summary, since);
    }

    /// <summary>One event in a line: "add firewall-drop600 203.0.113.7 (rule 5712)".</summary>
    public static string One(ResponseEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = new StringBuilder();
        text.Append(Verb(e.Event, 1));
        if (e.Target is { } target)
        {
            text.Append(' ').Append(target);
        }

        if (e.Response is { } response)
        {
            text.Append(" by ").Append(response);
        }

        if (e.Agent is { } agent)
        {
            text.Append(" on agent ").Append(agent);
        }

        if (e.RuleId is { } rule)
        {
            text.Append(" (rule ").Append(rule).Append(')');
        }

        if (e.Detail is { Length: > 0 } detail && e.Level != EventSeverity.Info)
        {
            text.Append(": ").Append(detail);
        }

        return text.ToString();
    }

    private static string Many(IReadOnlyList<ResponseEvent> events, int omitted, TimeSpan span)
    {
        var kinds = events.Select(e => e.Event).Distinct(StringComparer.Ordinal).ToList();
        var responses = events.Select(e => e.Response).Where(r => r is not null).Distinct(StringComparer.Ordinal).ToList();
        int count = events.Count + omitted;
        var text = new StringBuilder();
        text.Append(count.ToString(CultureInfo.InvariantCulture)).Append(' ');
        text.Append(kinds.Count == 1 ? Verb(kinds[0], count) : "events (" + string.Join(", ", kinds) + ")");
        if (responses.Count == 1)
        {
            text.Append(" by ").Append(responses[0]);
        }

        text.Append(" in the last ").Append(Span(span));
        var rules = events.Where(e => e.RuleId is not null).GroupBy(e => e.RuleId!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(3).ToList();
        if (rules.Count > 0)
        {
            text.Append(", top rules ").AppendJoin(", ", rules.Select(g => $"{g.Key} ({g.Count().ToString(CultureInfo.InvariantCulture)})"));
        }

        if (omitted > 0)
        {
            text.Append("; ").Append(omitted.ToString(CultureInfo.InvariantCulture)).Append(" more events not shown (the receiver was unreachable)");
        }

        return text.ToString();
    }

    /// <summary>What happened, for <paramref name="count"/> targets: "addresses blocked", "blocks lifted"...</summary>
    private static string Verb(string kind, int count) => (kind, count == 1) switch
    {
        (ResponseEventKinds.Add, true) => "blocked",
        (ResponseEventKinds.Add, false) => "addresses blocked",
        (ResponseEventKinds.Delete, true) => "unblocked",
        (ResponseEventKinds.Delete, false) => "addresses unblocked",
        (ResponseEventKinds.Abort, true) => "block refreshed",
        (ResponseEventKinds.Abort, false) => "blocks refreshed",
        (ResponseEventKinds.Revoke, true) => "revoked",
        (ResponseEventKinds.Revoke, false) => "blocks revoked",
        (ResponseEventKinds.Failure, true) => "FAILED",
        (ResponseEventKinds.Failure, false) => "responses failed",
        (ResponseEventKinds.Kill, true) => "KILLED (time limit)",
        (ResponseEventKinds.Kill, false) => "programs killed (time limit)",
        (ResponseEventKinds.Refused, true) => "refused",
        (ResponseEventKinds.Refused, false) => "responses refused",
        (ResponseEventKinds.RateLimited, true) => "rate-limited",
        (ResponseEventKinds.RateLimited, false) => "responses rate-limited",
        (_, true) => kind,
        (_, false) => kind + " events",
    };

    private static string Span(TimeSpan span) =>
        span < TimeSpan.FromMinutes(1) ? "minute"
        : span < TimeSpan.FromHours(1) ? $"{Math.Ceiling(span.TotalMinutes).ToString(CultureInfo.InvariantCulture)} minutes"
        : $"{Math.Ceiling(span.TotalHours).ToString(CultureInfo.InvariantCulture)} hours";
}
