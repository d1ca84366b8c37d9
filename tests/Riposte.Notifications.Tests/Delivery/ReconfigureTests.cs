using Microsoft.Extensions.Logging.Abstractions;
using Riposte.Config.Settings;
using Riposte.Notifications.Infrastructure;

namespace Riposte.Notifications.Delivery;

/// <summary>
/// <see cref="NotificationService.ApplyAsync"/>: channels added, removed and changed while delivery runs, with real
/// HTTP receivers and a real state file. New channels start from the newest event (as they do at a daemon's start),
/// so each test waits for a channel's checkpoint to exist before writing the events it should hear of.
/// </summary>
public sealed class ReconfigureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>A fresh target each call (new lists and dictionary): an unchanged channel is recognised by value.</summary>
    private static NotificationTarget Hook(string name, Uri url) => new()
    {
        Name = name,
        Url = url,
        Headers = new Dictionary<string, string> { ["X-Channel"] = name }.AsReadOnly(),
        Responses = ["firewall-drop600"],
        Retry = new NotificationRetry { MaxAttempts = 100, BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200) },
    };

    private static NotificationService Service(Audit audit, TimeSpan? attemptTimeout = null, params NotificationTarget[] targets) =>
        new(targets, audit.Store, audit.Time, NullLogger.Instance, new DeliveryOptions(attemptTimeout ?? TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100)));

    private static async Task<long?> CheckpointAsync(Audit audit, string name) =>
        (await audit.Store.GetCheckpointAsync("notify:" + name, TestContext.Current.CancellationToken))?.Offset;

    /// <summary>Waits until channel <paramref name="name"/> has started: a new channel writes its checkpoint first.</summary>
    private static async Task StartedAsync(Audit audit, string name)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (await CheckpointAsync(audit, name) is null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"gave up waiting for channel {name} to start");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private static string[] Keys(HttpReceiver receiver) => [.. receiver.Accepted.Select(b => (string)b["keys"]![0]!)];

    [Fact]
    public async Task Adding_a_channel_starts_it_and_leaves_the_running_one_and_its_send_in_flight_untouched()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var a = new HttpReceiver { Hold = release.Task };
        using var b = new HttpReceiver();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        // No attempt times out while the receiver holds it: only a restart could end the send in flight.
        await using var service = Service(audit, TimeSpan.FromMinutes(10), Hook("a", a.Url));
        using var running = Running.Start(service);
        await StartedAsync(audit, "a");

        await audit.AddAsync("add", key: "192.0.2.1");
        await Poll.UntilAsync(() => a.Requests == 1, "a's first send to be in flight");

        var changes = await service.ApplyAsync([Hook("a", a.Url), Hook("b", b.Url)]).WaitAsync(Bound, TestContext.Current.CancellationToken);
        changes.Started.ShouldBe(["b"]);
        changes.Unchanged.ShouldBe(["a"]);
        changes.Restarted.ShouldBeEmpty();
        changes.Stopped.ShouldBeEmpty();
        await StartedAsync(audit, "b");
        await audit.AddAsync("add", key: "192.0.2.2");

        // The send held in flight across the apply completes; a restarted channel would have cancelled it and sent again.
        release.SetResult();
        await Poll.UntilAsync(() => a.Accepted.Count >= 2 && !b.Accepted.IsEmpty, "both channels");
        await running.StopAsync();

        Keys(a).ShouldBe(["192.0.2.1", "192.0.2.2"]);
        a.Requests.ShouldBe(2);
        Keys(b).ShouldBe(["192.0.2.2"]);
        b.Headers.ShouldContain(h => h.Name == "X-Channel" && h.Value == "b");
    }

    [Fact]
    public async Task A_changed_url_restarts_the_channel_which_resumes_from_its_checkpoint_at_the_new_url()
    {
        using var before = new HttpReceiver();
        using var after = new HttpReceiver();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        await using var service = Service(audit, null, Hook("a", before.Url));
        using var running = Running.Start(service);
        await StartedAsync(audit, "a");
        long first = await audit.AddAsync("add", key: "192.0.2.1");
        await Poll.UntilAsync(() => before.Accepted.Count == 1 && service.Stats["a"].Position >= first, "the first event done at the old url");

        var changes = await service.ApplyAsync([Hook("a", after.Url)]).WaitAsync(Bound, TestContext.Current.CancellationToken);
        changes.Restarted.ShouldBe(["a"]);
        await audit.AddAsync("add", key: "192.0.2.2");
        await Poll.UntilAsync(() => !after.Accepted.IsEmpty, "the next event at the new url");
        await Poll.UntilAsync(() => service.Stats["a"].Sent == 2, "a restarted channel to keep its counters");
        await running.StopAsync();

        Keys(before).ShouldBe(["192.0.2.1"]);
        Keys(after).ShouldBe(["192.0.2.2"], "resumed from the checkpoint: the event already sent is not sent again");
    }

    [Fact]
    public async Task Any_changed_field_restarts_the_channel_with_the_new_definition()
    {
        using var receiver = new HttpReceiver();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        await using var service = Service(audit, null, Hook("a", receiver.Url));
        using var running = Running.Start(service);
        await StartedAsync(audit, "a");

        // Only the events filter changes: deletes now pass, and only deletes.
        var changes = await service.ApplyAsync([Hook("a", receiver.Url) with { Events = NotificationEvents.Delete }])
            .WaitAsync(Bound, TestContext.Current.CancellationToken);
        changes.Restarted.ShouldBe(["a"]);
        await audit.AddAsync("add", key: "192.0.2.1");
        long last = await audit.AddAsync("delete", key: "192.0.2.2");
        await Poll.UntilAsync(() => !receiver.Accepted.IsEmpty && service.Stats["a"].Position >= last, "the delete");
        await running.StopAsync();

        receiver.Accepted.Select(e => (string)e["event"]! + " " + (string)e["keys"]![0]!).ShouldBe(["delete 192.0.2.2"]);
    }

    [Fact]
    public async Task A_removed_channel_sends_nothing_more_and_keeps_its_checkpoint()
    {
        using var removed = new HttpReceiver();
        using var kept = new HttpReceiver();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        await using var service = Service(audit, null, Hook("removed", removed.Url), Hook("kept", kept.Url));
        using var running = Running.Start(service);
        await StartedAsync(audit, "removed");
        await StartedAsync(audit, "kept");
        long first = await audit.AddAsync("add", key: "192.0.2.1");
        await Poll.UntilAsync(() => removed.Accepted.Count == 1 && kept.Accepted.Count == 1 && service.Stats["removed"].Position >= first,
            "the first event done on both");

        var changes = await service.ApplyAsync([Hook("kept", kept.Url)]).WaitAsync(Bound, TestContext.Current.CancellationToken);
        changes.Stopped.ShouldBe(["removed"]);
        changes.Unchanged.ShouldBe(["kept"]);
        service.Stats.Keys.ShouldBe(["kept"]);

        // The channel still running hears of the next event; the removed one, which heard of the first as fast, does not.
        await audit.AddAsync("add", key: "192.0.2.2");
        await Poll.UntilAsync(() => kept.Accepted.Count == 2, "the next event on the kept channel");

        (await service.ApplyAsync([]).WaitAsync(Bound, TestContext.Current.CancellationToken)).Stopped.ShouldBe(["kept"]);
        await audit.AddAsync("add", key: "192.0.2.3");
        await running.StopAsync();

        Keys(removed).ShouldBe(["192.0.2.1"]);
        removed.Requests.ShouldBe(1);
        Keys(kept).ShouldBe(["192.0.2.1", "192.0.2.2"]);
        (await CheckpointAsync(audit, "removed")).ShouldBe(first, "a removed channel's checkpoint is kept");
    }

    [Fact]
    public async Task A_removed_channel_hanging_on_a_receiver_that_never_answers_does_not_hold_up_the_apply_and_loses_nothing()
    {
        using var hanging = new HttpReceiver { Answer = _ => 0 };
        using var fixedReceiver = new HttpReceiver();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);

        // Only a cancelled send ends before this: a stop that waited for the receiver would outlast the test's bound.
        await using var service = Service(audit, TimeSpan.FromMinutes(10), Hook("a", hanging.Url));
        using var running = Running.Start(service);
        await StartedAsync(audit, "a");
        long before = (await CheckpointAsync(audit, "a"))!.Value;
        await audit.AddAsync("add", key: "192.0.2.1");
        await Poll.UntilAsync(() => hanging.Requests == 1, "the send to hang");

        var changes = await service.ApplyAsync([]).WaitAsync(Bound, TestContext.Current.CancellationToken);
        changes.Stopped.ShouldBe(["a"]);
        (await CheckpointAsync(audit, "a")).ShouldBe(before, "the unsent event stays in the outbox");

        // Back with a receiver that answers: the event the hanging one never took arrives.
        await service.ApplyAsync([Hook("a", fixedReceiver.Url)]).WaitAsync(Bound, TestContext.Current.CancellationToken);
        await Poll.UntilAsync(() => !fixedReceiver.Accepted.IsEmpty, "the event at the fixed url");
        await running.StopAsync();
        Keys(fixedReceiver).ShouldBe(["192.0.2.1"]);
    }

    [Fact]
    public async Task A_channel_added_back_resumes_from_its_checkpoint_and_a_renamed_one_starts_from_now()
    {
        using var receiver = new HttpReceiver();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        await using var service = Service(audit, null, Hook("a", receiver.Url));
        using var running = Running.Start(service);
        await StartedAsync(audit, "a");
        long first = await audit.AddAsync("add", key: "192.0.2.1");

        // Done, not only received: a channel stopped while its receiver has not yet answered sends the message again.
        await Poll.UntilAsync(() => receiver.Accepted.Count == 1 && service.Stats["a"].Position >= first, "the first event");

        await service.ApplyAsync([]).WaitAsync(Bound, TestContext.Current.CancellationToken);
        await audit.AddAsync("add", key: "192.0.2.2");
        await audit.AddAsync("add", key: "192.0.2.3");

        // Added back under its name: what happened while it was gone arrives, and nothing it had sent before.
        (await service.ApplyAsync([Hook("a", receiver.Url)]).WaitAsync(Bound, TestContext.Current.CancellationToken)).Started.ShouldBe(["a"]);
        await Poll.UntilAsync(() => receiver.Accepted.Count >= 3, "the events of while it was removed");
        Keys(receiver).ShouldBe(["192.0.2.1", "192.0.2.2", "192.0.2.3"]);

        // Renamed: a new channel, which starts at the newest event rather than at the old name's checkpoint.
        long fourth = await audit.AddAsync("add", key: "192.0.2.4");
        await Poll.UntilAsync(() => receiver.Accepted.Count >= 4 && service.Stats["a"].Position >= fourth, "the fourth event");
        await service.ApplyAsync([Hook("renamed", receiver.Url)]).WaitAsync(Bound, TestContext.Current.CancellationToken);
        await StartedAsync(audit, "renamed");
        await audit.AddAsync("add", key: "192.0.2.5");
        await Poll.UntilAsync(() => receiver.Accepted.Count >= 5, "the event after the rename");
        await running.StopAsync();

        Keys(receiver).ShouldBe(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"]);
        receiver.Headers.Last(h => h.Name == "X-Channel").Value.ShouldBe("renamed");
    }

    [Fact]
    public async Task Channels_applied_before_the_service_runs_are_the_ones_it_starts_and_duplicate_names_are_refused()
    {
        using var first = new HttpReceiver();
        using var second = new HttpReceiver();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        await using var service = Service(audit, null, Hook("a", first.Url));
        Should.Throw<ArgumentException>(() => service.ApplyAsync([Hook("b", second.Url), Hook("b", first.Url)]));
        (await service.ApplyAsync([Hook("b", second.Url)]).WaitAsync(Bound, TestContext.Current.CancellationToken)).Stopped.ShouldBe(["a"]);

        using var running = Running.Start(service);
        await StartedAsync(audit, "b");
        await audit.AddAsync("add", key: "192.0.2.1");
        await Poll.UntilAsync(() => second.Accepted.Count == 1, "the event");
        await running.StopAsync();

        first.Requests.ShouldBe(0);
        (await CheckpointAsync(audit, "a")).ShouldBeNull("a channel that never ran writes no checkpoint");
    }

    /// <summary>A service running until <see cref="StopAsync"/>, which waits (bounded) for it to end.</summary>
    private sealed class Running : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        private Running(NotificationService service) => _run = service.RunAsync(_stop.Token);

        public static Running Start(NotificationService service) => new(service);

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(Bound, TestContext.Current.CancellationToken);
        }

        public void Dispose() => _stop.Dispose();
    }
}
