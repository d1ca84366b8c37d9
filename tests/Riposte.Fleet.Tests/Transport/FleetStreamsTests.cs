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
