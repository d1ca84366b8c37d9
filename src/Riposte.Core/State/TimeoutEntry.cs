namespace Riposte.State;

/// <summary>
/// One entry of execd's timeout list (spec §5.3), made durable: the block a program put in place and the exact message
/// that reverts it.
/// </summary>
/// <param name="RKey">The response key: program basename plus <c>-key</c> for each key the program reported.</param>
/// <param name="Program">The program's path relative to the install directory, e.g. <c>active-response/bin/firewall-drop</c>.</param>
/// <param name="DeleteMessage">The exact bytes to write to the program's stdin on expiry, without the trailing newline.</param>
/// <param name="AddedAt">execd's <c>time_of_addition</c>; an abort moves it to the abort's time.</param>
/// <param name="DurationSeconds">execd's <c>time_to_block</c> (possibly escalated by repeated offenders).</param>
/// <param name="ArName">The active response that created the entry, e.g. <c>firewall-drop600</c>.</param>
/// <param name="AlertId">The alert that created the entry, when known.</param>
/// <param name="Keys">The keys the program reported with <c>check_keys</c>, in order.</param>
/// <param name="Status">Where the entry is in its life.</param>
/// <param name="Offense">Which offense of this rkey set the current duration (repeated offenders), 1 for the first.</param>
public sealed record TimeoutEntry(
    string RKey,
    string Program,
    byte[] DeleteMessage,
    DateTimeOffset AddedAt,
    long DurationSeconds,
    string ArName,
    string? AlertId,
    IReadOnlyList<string> Keys,
    EntryStatus Status,
    int Offense)
{
    /// <summary>When the delete is due (execd runs it once now is strictly past this instant).</summary>
    public DateTimeOffset ExpiresAt => AddedAt.AddSeconds(DurationSeconds);
}
