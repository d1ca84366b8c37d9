using System.Collections.Concurrent;

namespace Riposte.Fleet.Manager;

/// <summary>
/// One queue per agent: work for an agent starts only after the previous work for it finished, so commands reach the
/// agent's stream in the order alerts were read, even when a publish waits for NATS. Agents do not wait for each other.
/// </summary>
internal sealed class AgentChains
{
    private readonly ConcurrentDictionary<string, Task> _tails = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="work"/> once everything queued before it for <paramref name="agent"/> is done.</summary>
    public Task Enqueue(string agent, Func<Task> work)
    {
        while (true)
        {
            var previous = _tails.GetOrAdd(agent, Task.CompletedTask);
            var next = RunAfterAsync(previous, work);
            if (_tails.TryUpdate(agent, next, previous))
            {
                return next;
            }
        }
    }

    private static async Task RunAfterAsync(Task previous, Func<Task> work)
    {
        try
        {
            await previous.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The previous command's failure is its caller's to report; this one still goes.
        }

        await work().ConfigureAwait(false);
    }
}
