using Riposte.Sdk;
using Riposte.Support;

namespace Riposte;

public sealed class FileLockTests
{
    [Fact]
    public async Task A_held_lock_makes_others_wait_then_time_out()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("run", "x.lock");
        var ct = TestContext.Current.CancellationToken;
        using (var first = await FileLock.AcquireAsync(path, TimeSpan.FromSeconds(1), cancellationToken: ct))
        {
            first.Path.ShouldBe(path);
            await Should.ThrowAsync<TimeoutException>(() => FileLock.AcquireAsync(path, TimeSpan.FromMilliseconds(200), cancellationToken: ct));
        }

        using var again = await FileLock.AcquireAsync(path, TimeSpan.FromSeconds(1), cancellationToken: ct);
        File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task A_waiter_gets_the_lock_when_it_is_released()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("x.lock");
        var ct = TestContext.Current.CancellationToken;
        var first = await FileLock.AcquireAsync(path, TimeSpan.FromSeconds(1), cancellationToken: ct);
        var waiting = FileLock.AcquireAsync(path, TimeSpan.FromSeconds(10), cancellationToken: ct);
        await Task.Delay(100, ct);
        waiting.IsCompleted.ShouldBeFalse();
        first.Dispose();
        using var second = await waiting;
        second.Path.ShouldBe(path);
    }
}
