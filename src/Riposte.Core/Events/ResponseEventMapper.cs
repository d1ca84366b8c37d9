using Riposte.State;

namespace Riposte.Events;

/// <summary>Turns audit rows into <see cref="ResponseEvent"/>s: the one place the audit vocabulary meets the outward one.</summary>
public static class ResponseEventMapper
{
    /// <summary>The event an audit row describes, on <paramref name="agent"/> (null for this host).</summary>
    public static ResponseEvent FromAudit(AuditRecord record, string? agent = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var kind = KindOf(record.Event, record.Detail);
        return new ResponseEvent(record.Id, record.At, kind, ResponseEventKinds.SeverityOf(kind).ToString().ToLowerInvariant(), agent,
            record.ArName, record.RKey, record.Keys, record.Program.Length == 0 ? null : record.Program, record.AlertId, record.RuleId, record.RuleLevel,
            record.ExitCode, record.DurationMs, record.Detail, record.Source);
    }

    /// <summary>The outward kind of an audit event; <c>skip</c> rows are told apart by how their detail begins.</summary>
    public static string KindOf(string auditEvent, string? detail) => auditEvent switch
    {
        AuditEvents.Skip when detail?.StartsWith(SkipDetails.Refused, StringComparison.Ordinal) == true => ResponseEventKinds.Refused,
        AuditEvents.Skip when detail?.StartsWith(SkipDetails.RateCapped, StringComparison.Ordinal) == true => ResponseEventKinds.RateLimited,
        _ => auditEvent,
    };
}
