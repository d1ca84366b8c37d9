using Microsoft.Extensions.Time.Testing;

namespace Riposte.Notifications.Infrastructure;

/// <summary>Waits for a condition with a generous deadline (no timing is asserted); may nudge a fake clock meanwhile.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, FakeTimeProvider? nudge = null, TimeSpan? step = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("gave up waiting for " + what);
            }

            if (nudge is not null)
            {
                nudge.Advance(step ?? TimeSpan.FromSeconds(1));
            }

            await Task.Delay(20);
        }
    }
}
