using System.Text;
using Riposte.Inputs;
using Riposte.Telemetry;

namespace Riposte.Cli.Metrics;

/// <summary>The bridge from the Riposte meter to the text exposition, in this process.</summary>
public sealed class PrometheusBridgeTests
{
    [Fact]
    public async Task Counters_are_counters_and_an_up_down_counter_keeps_its_labels()
    {
        using var bridge = new PrometheusBridge();
        var channel = "bridge-" + Guid.NewGuid().ToString("N");
        RiposteMetrics.NotificationEnqueued(channel);
        RiposteMetrics.NotificationEnqueued(channel);
        RiposteMetrics.NotificationDequeued(channel);
        RiposteMetrics.NotificationSent(channel);
        RiposteMetrics.NotificationSent(channel);

        var scraped = await ScrapeAsync(bridge);

        scraped.Types[RiposteMetrics.Names.NotificationsSent].ShouldBe("counter");
        scraped.Types[RiposteMetrics.Names.NotificationsQueued].ShouldBe("gauge");
        scraped.Types[RiposteMetrics.Names.ProgramDuration].ShouldBe("histogram");
        scraped.Value(RiposteMetrics.Names.NotificationsSent, ("channel", channel)).ShouldBe(2, scraped.Text);
        scraped.Value(RiposteMetrics.Names.NotificationsQueued, ("channel", channel)).ShouldBe(1, scraped.Text);
        scraped.Value(RiposteMetrics.Names.NotificationsFailed, ("channel", channel)).ShouldBeNull(scraped.Text);
    }

    [Fact]
    public async Task A_gauge_series_whose_source_is_gone_leaves_the_exposition()
    {
        using var bridge = new PrometheusBridge();
        var dir = Directory.CreateTempSubdirectory("riposte-bridge-");
        try
        {
            var path = Path.Combine(dir.FullName, "alerts.json");
            File.WriteAllText(path, "{\"id\":\"1\"}\n{\"id\":");
            var tailer = new AlertFileTailer(path, TimeProvider.System, new TailerOptions { StartAtEnd = false, PollInterval = TimeSpan.FromMilliseconds(20) });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            var lines = tailer.ReadAsync(null, stop.Token).GetAsyncEnumerator(stop.Token);
            (await lines.MoveNextAsync()).ShouldBeTrue();

            (await ScrapeAsync(bridge)).Value(RiposteMetrics.Names.TailLag, ("path", path)).ShouldBe(6);

            await stop.CancelAsync();
            await Should.ThrowAsync<OperationCanceledException>(async () => await lines.MoveNextAsync());
            await lines.DisposeAsync();
            var after = await ScrapeAsync(bridge);
            after.Value(RiposteMetrics.Names.TailLag, ("path", path)).ShouldBeNull(after.Text);
            after.Types.ShouldContainKey(RiposteMetrics.Names.TailLag);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static async Task<Exposition> ScrapeAsync(PrometheusBridge bridge)
    {
        using var stream = new MemoryStream();
        await bridge.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return Exposition.Parse(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
