namespace Riposte.Engine;

public sealed class ArrivalOrderTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_is_served_in_arrival_order_and_other_keys_do_not_wait()
    {
        var order = new ArrivalOrder();
        var first = order.Enter("a");
        var second = order.Enter("a");
        var other = order.Enter("b");

        await first.WaitAsync(Ct);
        await other.WaitAsync(Ct);
        var waiting = second.WaitAsync(Ct).AsTask();
        await Task.Delay(50, Ct);
        waiting.IsCompleted.ShouldBeFalse();

        first.Dispose();
        await waiting.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        second.Dispose();
        other.Dispose();
    }

    [Fact]
    public async Task A_request_that_gives_up_does_not_let_the_next_one_overtake_the_one_ahead()
    {
        var order = new ArrivalOrder();
        var first = order.Enter("a");
        var second = order.Enter("a");
        var third = order.Enter("a");
        await first.WaitAsync(Ct);

        using var cancel = new CancellationTokenSource();
        var giving = second.WaitAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(giving);
        second.Dispose();

        var waiting = third.WaitAsync(Ct).AsTask();
        await Task.Delay(50, Ct);
        waiting.IsCompleted.ShouldBeFalse("the third request overtook the first, which still runs");

        first.Dispose();
        await waiting.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        third.Dispose();
    }

    [Fact]
    public async Task A_key_whose_line_emptied_starts_fresh()
    {
        var order = new ArrivalOrder();
        var first = order.Enter("a");
        await first.WaitAsync(Ct);
        first.Dispose();

        var next = order.Enter("a");
        next.WaitAsync(Ct).AsTask().IsCompleted.ShouldBeTrue();
        next.Dispose();
    }
}
