using Microsoft.Extensions.Time.Testing;

namespace Riposte.Backends;

public sealed class BlockBatcherTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static BlockChange Add(int i) => BlockChange.Add($"198.18.{i >> 8}.{i & 255}");

    [Fact]
    public async Task A_full_batch_goes_at_once_without_waiting_for_the_delay()
    {
        var backend = new RecordingBackend();
        await using var batcher = new BlockBatcher(backend, new FakeTimeProvider(), new BlockBatcherOptions { MaxBatch = 10, MaxDelay = TimeSpan.FromHours(1) });

        var calls = Enumerable.Range(0, 10).Select(i => batcher.SubmitAsync(Add(i), CancellationToken.None).AsTask()).ToArray();
        await Task.WhenAll(calls).WaitAsync(Wait, TestContext.Current.CancellationToken);

        backend.Batches.ShouldHaveSingleItem().Count.ShouldBe(10);
        batcher.FlushCount.ShouldBe(1);
    }

    [Fact]
    public async Task A_partial_batch_goes_when_the_delay_has_passed()
    {
        var clock = new FakeTimeProvider();
        var backend = new RecordingBackend();
        await using var batcher = new BlockBatcher(backend, clock, new BlockBatcherOptions { MaxBatch = 100, MaxDelay = TimeSpan.FromMilliseconds(5) });

        var first = batcher.SubmitAsync(Add(1), CancellationToken.None).AsTask();
        var second = batcher.SubmitAsync(Add(2), CancellationToken.None).AsTask();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromMilliseconds(4));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        first.IsCompleted.ShouldBeFalse();
        backend.BatchCount.ShouldBe(0);

        await AdvanceUntil(clock, Task.WhenAll(first, second));

        backend.Batches.ShouldHaveSingleItem().Select(c => c.Target.Value).ShouldBe(["198.18.0.1", "198.18.0.2"]);
    }

    [Fact]
    public async Task Changes_arriving_during_a_flush_form_the_next_batch_in_order()
    {
        var backend = new RecordingBackend { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var batcher = new BlockBatcher(backend, TimeProvider.System, new BlockBatcherOptions { MaxBatch = 2, MaxDelay = TimeSpan.FromMilliseconds(1) });

        var first = Task.WhenAll(batcher.SubmitAsync(Add(1), CancellationToken.None).AsTask(), batcher.SubmitAsync(Add(2), CancellationToken.None).AsTask());
        await WaitUntil(() => backend.BatchCount == 1);
        var later = new[]
        {
            batcher.SubmitAsync(BlockChange.Add("1.1.1.1"), CancellationToken.None).AsTask(),
            batcher.SubmitAsync(BlockChange.Remove("1.1.1.1"), CancellationToken.None).AsTask(),
        };
        backend.Gate.SetResult();
        await Task.WhenAll(later.Append(first)).WaitAsync(Wait, TestContext.Current.CancellationToken);

        backend.Batches.Count.ShouldBe(2);
        backend.Batches[1].Select(c => c.Action).ShouldBe([BlockAction.Add, BlockAction.Remove]);
    }

    [Fact]
    public async Task Every_caller_of_a_failed_batch_gets_the_failure()
    {
        var backend = new RecordingBackend { Failure = new BlockBackendException("kernel says no") };
        await using var batcher = new BlockBatcher(backend, TimeProvider.System, new BlockBatcherOptions { MaxBatch = 2 });

        var a = batcher.SubmitAsync(Add(1), CancellationToken.None).AsTask();
        var b = batcher.SubmitAsync(Add(2), CancellationToken.None).AsTask();

        (await Should.ThrowAsync<BlockBackendException>(a)).Message.ShouldBe("kernel says no");
        await Should.ThrowAsync<BlockBackendException>(b);
        backend.Failure = null;
        await batcher.SubmitAsync(Add(3), CancellationToken.None).AsTask().WaitAsync(Wait, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_cancelled_change_still_waiting_is_taken_back()
    {
        var clock = new FakeTimeProvider();
        var backend = new RecordingBackend();
        await using var batcher = new BlockBatcher(backend, clock, new BlockBatcherOptions { MaxBatch = 100, MaxDelay = TimeSpan.FromMilliseconds(5) });
        using var cancel = new CancellationTokenSource();

        var withdrawn = batcher.SubmitAsync(BlockChange.Add("1.1.1.1"), cancel.Token).AsTask();
        var kept = batcher.SubmitAsync(BlockChange.Add("2.2.2.2"), CancellationToken.None).AsTask();
        await cancel.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(withdrawn);
        await AdvanceUntil(clock, kept);

        backend.Batches.ShouldHaveSingleItem().Select(c => c.Target.Value).ShouldBe(["2.2.2.2"]);
    }

    [Fact]
    public async Task Dispose_applies_what_is_waiting_and_then_refuses()
    {
        var backend = new RecordingBackend();
        var batcher = new BlockBatcher(backend, new FakeTimeProvider(), new BlockBatcherOptions { MaxBatch = 100, MaxDelay = TimeSpan.FromHours(1) });
        var waiting = batcher.SubmitAsync(Add(1), CancellationToken.None).AsTask();

        await batcher.DisposeAsync();

        waiting.IsCompletedSuccessfully.ShouldBeTrue();
        backend.BatchCount.ShouldBe(1);
        Should.Throw<ObjectDisposedException>(() => batcher.SubmitAsync(Add(2), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task A_flood_of_concurrent_callers_costs_few_batches()
    {
        var backend = new RecordingBackend();
        await using var batcher = new BlockBatcher(backend, TimeProvider.System, new BlockBatcherOptions { MaxBatch = 1000 });

        var calls = Enumerable.Range(0, 5000).Select(i => Task.Run(() => batcher.SubmitAsync(Add(i), CancellationToken.None).AsTask())).ToArray();
        await Task.WhenAll(calls).WaitAsync(Wait, TestContext.Current.CancellationToken);

        backend.Batches.Sum(b => b.Count).ShouldBe(5000);
        backend.Batches.ShouldAllBe(b => b.Count <= 1000);
        backend.BatchCount.ShouldBeLessThanOrEqualTo(15);
    }

    /// <summary>
    /// Moves the fake clock a millisecond at a time until <paramref name="task"/> completes: the batcher computes its
    /// wait and then starts a timer, and a clock moved in between would leave that timer waiting for more time.
    /// </summary>
    private static async Task AdvanceUntil(FakeTimeProvider clock, Task task)
    {
        for (var i = 0; i < 1000 && !task.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            await Task.Delay(5);
        }

        await task.WaitAsync(Wait);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        condition().ShouldBeTrue();
    }
}
