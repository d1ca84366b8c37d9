using System.Net;

namespace Riposte.Cli.Api;

/// <summary><c>GET /metrics</c> on the API's listener, behind the API's token.</summary>
public sealed class ApiMetricsTests(ApiDaemonFixture fixture) : IClassFixture<ApiDaemonFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_need_the_token_and_count_a_response_the_api_triggered()
    {
        var daemon = fixture.Daemon;
        using var anonymous = await daemon.Anonymous.GetAsync("/metrics", Ct);
        await ApiDaemon.ShouldBeProblemAsync(anonymous, HttpStatusCode.Unauthorized);

        await daemon.TriggerAsync("198.51.100.91");
        await TestHome.WaitForAsync(() => daemon.Home.Events().Contains("add 198.51.100.91"), "the trigger's add");

        string text = "";
        await TestHome.WaitForAsync(() =>
        {
            using var response = daemon.Client.GetAsync("/metrics", Ct).Result;
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
            text = response.Content.ReadAsStringAsync(Ct).Result;
            return text.Contains("riposte_responses_total{response=\"firewall-drop600\",outcome=\"add\"} 1", StringComparison.Ordinal);
        }, "the add counted in /metrics");
        text.ShouldContain("# TYPE riposte_program_duration_seconds histogram");
        text.ShouldContain("riposte_active_entries");
    }
}
