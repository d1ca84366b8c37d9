using System.Collections.Concurrent;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Riposte.Fleet.Transport;
using Riposte.Nats;

namespace Riposte.Fleet.Transport;

/// <summary>Several managers start together: each creates or updates the same streams and consumers.</summary>
public sealed class FleetStreamsTests
{
    [Fact]
    public async Task Managers_setting_up_the_same_streams_and_consumers_at_once_all_succeed()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        var options = new FleetStreamOptions(TimeSpan.FromHours(1), TimeSpan.FromDays(1), 1, TimeSpan.FromSeconds(30));
        for (var round = 0; round < 3; round++)
        {
            await RoundAsync(round, options, ct);
        }
    }

    /// <summary>
    /// Managers with the same settings create and never update: nats-server 2.9.10 registers a new stream before it
    /// opens the stream's store, and an update arriving in between kills the server (nil dereference at stream.go:1602,
    /// seen in CI). Counted with a connection that sees every stream API request.
    /// </summary>
    [Fact]
    public async Task Managers_that_agree_never_send_a_stream_update()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        var options = new FleetStreamOptions(TimeSpan.FromHours(1), TimeSpan.FromDays(1), 1, TimeSpan.FromSeconds(30));
        await using var server = await NatsServerProcess.StartAsync(cancellationToken: ct);
        await using var spy = await StreamRequestSpy.StartAsync(server.Url, ct);
        var managers = await ConnectAsync(server.Url, 4);
        try
        {
            // Together on a fresh server, then again on streams that exist (every restart of a manager).
            for (var pass = 0; pass < 2; pass++)
            {
                await Task.WhenAll(managers.Select(m => FleetStreams.EnsureAsync(new NatsJSContext(m), options, ct)));
            }

            var seen = await spy.SeenAfterAsync(managers, ct);
            seen.ShouldContain(s => s.StartsWith("$JS.API.STREAM.CREATE.", StringComparison.Ordinal));
            seen.ShouldNotContain(s => s.StartsWith("$JS.API.STREAM.UPDATE.", StringComparison.Ordinal));
        }
        finally
        {
            await DisposeAllAsync(managers);
        }
    }

    [Fact]
    public async Task A_manager_with_other_settings_brings_the_streams_to_them()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        var ct = TestContext.Current.CancellationToken;
        await using var server = await NatsServerProcess.StartAsync(cancellationToken: ct);
        var managers = await ConnectAsync(server.Url, 1);
        try
        {
            var js = new NatsJSContext(managers[0]);
            await FleetStreams.EnsureAsync(js, new FleetStreamOptions(TimeSpan.FromHours(1), TimeSpan.FromDays(1), 1, TimeSpan.FromSeconds(30)), ct);
            await js.PublishAsync(FleetNames.CommandSubject("001"), "pending"u8.ToArray(), cancellationToken: ct);

            await FleetStreams.EnsureAsync(js, new FleetStreamOptions(TimeSpan.FromHours(3), TimeSpan.FromDays(2), 1, TimeSpan.FromSeconds(30)), ct);

            var commands = await js.GetStreamAsync(FleetNames.CommandStream, cancellationToken: ct);
            commands.Info.Config.MaxAge.ShouldBe(TimeSpan.FromHours(3));
            commands.Info.State.Messages.ShouldBe(1L, "an update keeps the commands agents still owe");
            (await js.GetStreamAsync(FleetNames.OutcomeStream, cancellationToken: ct)).Info.Config.MaxAge.ShouldBe(TimeSpan.FromDays(2));
        }
        finally
        {
            await DisposeAllAsync(managers);
        }
    }

    private static async Task<NatsConnection[]> ConnectAsync(string url, int count)
    {
        var connections = new NatsConnection[count];
        for (var i = 0; i < count; i++)
        {
            connections[i] = new NatsConnection(NatsOpts.Default with { Url = url });
            await connections[i].ConnectAsync();
        }

        return connections;
    }

    private static async Task DisposeAllAsync(NatsConnection[] connections)
    {
        foreach (var nats in connections)
        {
            await nats.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        }
    }

    /// <summary>A plain subscriber on the stream API's subjects: the server gives it a copy of every request.</summary>
    private sealed class StreamRequestSpy : IAsyncDisposable
    {
        private const string MarkPrefix = "$JS.API.STREAM.RIPOSTE-TEST-MARK.";
        private readonly NatsConnection _nats;
        private readonly INatsSub<byte[]> _sub;
        private readonly ConcurrentQueue<string> _subjects = new();
        private readonly Task _reading;

        private StreamRequestSpy(NatsConnection nats, INatsSub<byte[]> sub)
        {
            _nats = nats;
            _sub = sub;
            _reading = Task.Run(async () =>
            {
                await foreach (var msg in sub.Msgs.ReadAllAsync())
                {
                    _subjects.Enqueue(msg.Subject);
                }
            });
        }

        public static async Task<StreamRequestSpy> StartAsync(string url, CancellationToken ct)
        {
            var nats = new NatsConnection(NatsOpts.Default with { Url = url });
            var sub = await nats.SubscribeCoreAsync<byte[]>("$JS.API.STREAM.>", cancellationToken: ct);
            await nats.PingAsync(ct);
            return new StreamRequestSpy(nats, sub);
        }

        /// <summary>
        /// The subjects seen, once a mark published on each connection after its requests has arrived: the server
        /// keeps one publisher's messages in order.
        /// </summary>
        public async Task<string[]> SeenAfterAsync(NatsConnection[] connections, CancellationToken ct)
        {
            for (var i = 0; i < connections.Length; i++)
            {
                await connections[i].PublishAsync(MarkPrefix + i, Array.Empty<byte>(), cancellationToken: ct);
            }

            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(30));
            while (_subjects.Count(s => s.StartsWith(MarkPrefix, StringComparison.Ordinal)) < connections.Length)
            {
                await Task.Delay(10, bound.Token);
            }

            return [.. _subjects.Where(s => !s.StartsWith(MarkPrefix, StringComparison.Ordinal))];
        }

        public async ValueTask DisposeAsync()
        {
            await _sub.DisposeAsync();
            await _reading;
            await _nats.DisposeAsync();
        }
    }

    private static async Task RoundAsync(int round, FleetStreamOptions options, CancellationToken ct)
    {
        await using var server = await NatsServerProcess.StartAsync(cancellationToken: ct);
        var managers = new NatsConnection[4];
        var phases = new string[managers.Length];
        try
        {
            var setups = Enumerable.Range(0, managers.Length).Select(async i =>
            {
                phases[i] = "connecting";
                managers[i] = new NatsConnection(NatsOpts.Default with { Url = server.Url });
                await managers[i].ConnectAsync();
                var js = new NatsJSContext(managers[i]);
                phases[i] = "streams";
                await FleetStreams.EnsureAsync(js, options, ct);
                phases[i] = "consumer";
                await FleetStreams.EnsureAgentConsumerAsync(js, "001", options, ct);
                phases[i] = "done";
            });

            // Bounded: a regression must fail with where each manager was, not hang the suite.
            try
            {
                await Task.WhenAll(setups).WaitAsync(TimeSpan.FromSeconds(60), ct);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"round {round}: managers stuck at [{string.Join(", ", phases)}]; server log:\n{server.Log}");
            }
        }
        finally
        {
            foreach (var nats in managers)
            {
                if (nats is not null)
                {
                    await nats.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
                }
            }
        }
    }
}
