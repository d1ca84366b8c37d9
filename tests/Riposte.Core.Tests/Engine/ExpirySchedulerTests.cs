using Microsoft.Extensions.Time.Testing;

namespace Riposte.Engine;

public sealed class ExpirySchedulerTests
{
    /// <summary>
    /// A clock that jumps while the scheduler arms its wait: what a fake clock advanced by a test at that moment does,
    /// or a real clock stepped by NTP. The wait then counts from after the jump.
    /// </summary>
    private sealed class JumpWhileArming(FakeTimeProvider inner, TimeSpan jump) : TimeProvider
    {
        private int _armed;

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan && Interlocked.Exchange(ref _armed, 1) == 0)
            {
                inner.Advance(jump);
            }

            return inner.CreateTimer(callback, state, dueTime, period);
        }
    }

    [Fact]
    public async Task A_clock_that_moves_past_the_due_time_while_the_wait_is_armed_still_runs_the_delete()
    {
        var fake = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var due = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scheduler = new ExpiryScheduler(new JumpWhileArming(fake, TimeSpan.FromSeconds(601)), rkey =>
        {
            due.TrySetResult(rkey);
            return ValueTask.CompletedTask;
        });
        scheduler.Start();

        scheduler.Schedule("firewall-drop-192.0.2.1", fake.GetUtcNow().AddSeconds(600));

        // Nothing advances the clock any more: only looking again after arming can notice it is already due.
        (await due.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)).ShouldBe("firewall-drop-192.0.2.1");
    }
}
