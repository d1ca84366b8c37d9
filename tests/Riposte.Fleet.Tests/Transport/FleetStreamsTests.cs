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
            // Bounded: a regression must fail, not hang the suite.
            await RoundAsync(options, ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
        }
    }

    private static async Task RoundAsync(FleetStreamOptions options, CancellationToken ct)
    {
        {
            await using var server = await NatsServerProcess.StartAsync(cancellationToken: ct);
            var managers = new NatsConnection[4];
            for (var i = 0; i < managers.Length; i++)
            {
                managers[i] = new NatsConnection(NatsOpts.Default with { Url = server.Url });
                await managers[i].ConnectAsync();
            }

            try
            {
                await Task.WhenAll(managers.Select(async nats =>
                {
                    var js = new NatsJSContext(nats);
                    await FleetStreams.EnsureAsync(js, options, ct);
                    await FleetStreams.EnsureAgentConsumerAsync(js, "001", options, ct);
                }));
            }
            finally
            {
                foreach (var nats in managers)
                {
                    await nats.DisposeAsync();
                }
            }
        }
    }
}
