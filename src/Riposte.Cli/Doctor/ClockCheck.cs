using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Riposte.Cli.Doctor;

/// <summary>
/// The system clock is plausible and not behind the newest time the state recorded. Expiries are stored as absolute
/// times, so a clock that went back (a VM restored from a snapshot, a board without a battery-backed clock before NTP)
/// leaves blocks in place long past their timeout, and the audit trail out of order.
/// </summary>
internal sealed class ClockCheck : IDoctorCheck
{
    /// <summary>Riposte did not exist before this: a clock earlier than it was never set.</summary>
    private static readonly DateTimeOffset Earliest = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Slack for records written by a daemon a moment ago, and for small corrections by NTP.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    /// <summary>Every time column of the state (Unix milliseconds); columns the schema does not have are skipped.</summary>
    private static readonly (string Table, string Column)[] TimeColumns =
        [("audit", "at"), ("timeouts", "added_at"), ("timeouts", "updated_at"), ("offenders", "last_seen"), ("decisions", "at"), ("checkpoints", "updated_at")];

    /// <inheritdoc />
    public string Id => "clock";

    /// <inheritdoc />
    public string Title => "Clock";

    /// <inheritdoc />
    public Task<IReadOnlyList<CheckResult>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var now = context.Time.GetUtcNow();
        const string subject = "system clock";
        const string fix = "set the clock right and keep it synchronised: timedatectl set-ntp true (or chronyc makestep)";
        if (now < Earliest)
        {
            return Done(CheckResult.Fail(Id, subject, $"the clock says {CliJson.Timestamp(now)}: it was never set", fix));
        }

        var path = context.Layout.StatePath;
        switch (UnixFileFacts.Exists(path))
        {
            case false:
                return Done(CheckResult.Pass(Id, subject, $"{CliJson.Timestamp(now)} (no state to compare with yet)"));
            case null:
                return Done(DoctorStateReader.Hidden(Id, subject, path));
        }

        long? newestMs;
        try
        {
            newestMs = Newest(path);
        }
        catch (SqliteException e)
        {
            return Done(CheckResult.Warn(Id, subject, $"{CliJson.Timestamp(now)}; cannot read the state's times: {e.Message}", "see the state database check above"));
        }

        if (newestMs is not { } ms)
        {
            return Done(CheckResult.Pass(Id, subject, $"{CliJson.Timestamp(now)} (the state has no times recorded yet)"));
        }

        var newest = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        if (newest - now > Slack)
        {
            return Done(CheckResult.Fail(Id, subject,
                $"the clock says {CliJson.Timestamp(now)}, {Describe(newest - now)} before the newest time the state recorded ({CliJson.Timestamp(newest)}): " +
                "timeouts are undone that much late and the history is out of order", fix));
        }

        return Done(CheckResult.Pass(Id, subject, $"{CliJson.Timestamp(now)}, not before the state's newest record ({CliJson.Timestamp(newest)})"));
    }

    private static Task<IReadOnlyList<CheckResult>> Done(CheckResult result) => Task.FromResult<IReadOnlyList<CheckResult>>([result]);

    private static long? Newest(string path)
    {
        using var connection = DoctorStateReader.OpenReadOnly(path);
        long? newest = null;
        foreach (var group in TimeColumns.GroupBy(c => c.Table))
        {
            // Names are from the list above, never from input; the schema may grow or lose columns, so ask first.
            var columns = DoctorStateReader.Column(connection, $"SELECT name FROM pragma_table_info('{group.Key}')");
            foreach (var (table, column) in group.Where(c => columns.Contains(c.Column)))
            {
                var value = DoctorStateReader.Column(connection, $"SELECT max(\"{column}\") FROM \"{table}\"").FirstOrDefault();
                if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) && (newest is null || parsed > newest))
                {
                    newest = parsed;
                }
            }
        }

        return newest;
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.#} days" : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} hours" : $"{Math.Ceiling(span.TotalSeconds):0} seconds";
}
