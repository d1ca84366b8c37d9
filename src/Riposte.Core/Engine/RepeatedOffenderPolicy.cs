using Riposte.State;

namespace Riposte.Engine;

/// <summary>
/// execd's repeated offenders (spec §5.6): per rkey, every add counts (aborted repeats too); the first offense uses
/// the configured timeout, then each step of the list in minutes, then the last step forever. Riposte persists the
/// counters and can forgive a counter after a quiet period.
/// </summary>
internal sealed class RepeatedOffenderPolicy(IReadOnlyList<int> minutes, TimeSpan? forgiveAfter)
{
    private readonly long[] _defaultSteps = [.. minutes.Select(m => m * 60L)];

    /// <summary>execd's steps (repeated_offenders, in seconds), or a response's own escalation when it has one.</summary>
    public IReadOnlyList<long> StepsFor(Config.Settings.ResponsePolicy policy) =>
        policy.Escalation is { } escalation ? [.. escalation.Select(t => (long)t.TotalSeconds)] : _defaultSteps;

    /// <summary>The timeout for this offense and the counter to store; no steps means no counting (Wazuh creates no table then).</summary>
    public (long TimeoutSeconds, OffenderCounter? Counter, int Offense) Apply(string rkey, long timeout, OffenderCounter? current, DateTimeOffset now,
        IReadOnlyList<long> steps)
    {
        if (steps.Count == 0)
        {
            return (timeout, null, 1);
        }

        if (current is not null && forgiveAfter is { } quiet && now - current.LastSeen > quiet)
        {
            current = null;
        }

        if (current is null)
        {
            return (timeout, new OffenderCounter(rkey, 0, now), 1);
        }

        var count = current.Count;
        if (count >= steps.Count)
        {
            return (steps[^1], current with { LastSeen = now }, count + 2);
        }

        return (steps[count], new OffenderCounter(rkey, count + 1, now), count + 2);
    }
}
