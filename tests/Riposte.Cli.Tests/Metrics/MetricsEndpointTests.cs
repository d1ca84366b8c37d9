using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Riposte.Telemetry;

namespace Riposte.Cli.Metrics;

/// <summary>A real <c>riposte serve</c> with <c>metrics.listen</c>: alerts in, <c>/metrics</c> scraped over HTTP and parsed.</summary>
public sealed class MetricsEndpointTests
{
    private const string Token = "s3cret-scrape-token";

    [Fact]
    public async Task A_served_alert_shows_in_every_engine_metric_with_its_labels()
    {
        using var home = new TestHome(timeout: 2);
        var port = FreePort();
        WriteSettings(home, $$"""{ "safety": { "never_block_self": false }, "metrics": { "listen": "127.0.0.1:{{port}}" }, "api": { "token_file": "token" } }""");
        File.WriteAllText(Path.Combine(home.Path, "token"), Token + "\n");
        File.SetUnixFileMode(Path.Combine(home.Path, "token"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        home.AppendAlert("192.0.2.10", "1.1");
        home.AppendAlert("192.0.2.10", "1.2");
        File.AppendAllText(home.Alerts, "{ not json\n");

        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--from-start");
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Serving metrics on", StringComparison.Ordinal), "the metrics endpoint");
        await TestHome.WaitForAsync(() => home.Events().Length == 2, "the add and the abort");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var active = await ScrapeAsync(http);
        const string response = "firewall-drop2";
        active.Value(RiposteMetrics.Names.ActiveEntries).ShouldBe(1, active.Text);

        await TestHome.WaitForAsync(() => home.Events().Length == 3, "the delete", 30_000);
        home.Events().ShouldBe(["add 192.0.2.10", "abort 192.0.2.10", "delete 192.0.2.10"]);
        // The delete's audit row is written after the program's effect, and counted just before its transaction
        // removes the entry: wait until the scrape shows both.
        Exposition scraped = active;
        await TestHome.WaitForAsync(() =>
        {
            scraped = ScrapeAsync(http).GetAwaiter().GetResult();
            return scraped.Value(RiposteMetrics.Names.Responses, ("response", response), ("outcome", "delete")) == 1
                && scraped.Value(RiposteMetrics.Names.ActiveEntries) == 0;
        }, "the delete's count");

        var text = scraped.Text;
        scraped.Value(RiposteMetrics.Names.Responses, ("response", response), ("outcome", "continue")).ShouldBe(1, text);
        scraped.Value(RiposteMetrics.Names.Responses, ("response", response), ("outcome", "add")).ShouldBe(1, text);
        scraped.Value(RiposteMetrics.Names.Responses, ("response", response), ("outcome", "abort")).ShouldBe(1, text);
        scraped.Value(RiposteMetrics.Names.Responses, ("outcome", "failure")).ShouldBeNull(text);
        scraped.Value(RiposteMetrics.Names.Responses, ("outcome", "kill")).ShouldBeNull(text);

        // Two add runs (the continue and the abort) and one delete, each a real child process.
        scraped.Value("riposte_program_duration_seconds_count", ("response", response), ("action", "add")).ShouldBe(2, text);
        scraped.Value("riposte_program_duration_seconds_count", ("response", response), ("action", "delete")).ShouldBe(1, text);
        scraped.Value("riposte_program_duration_seconds_sum", ("response", response), ("action", "add")).ShouldNotBeNull().ShouldBeGreaterThan(0, text);
        scraped.Value("riposte_program_duration_seconds_bucket", ("response", response), ("action", "add"), ("le", "+Inf")).ShouldBe(2, text);
        scraped.Value("riposte_program_duration_seconds_bucket", ("response", response), ("action", "add"), ("le", "60")).ShouldBe(2, text);

        scraped.Value(RiposteMetrics.Names.AlertsRead).ShouldBe(3, text);
        scraped.Value(RiposteMetrics.Names.AlertsMalformed).ShouldBe(1, text);
        scraped.Value(RiposteMetrics.Names.ActiveEntries).ShouldBe(0, text);
        scraped.Value(RiposteMetrics.Names.ExecSlotsBusy).ShouldBe(0, text);
        scraped.Value(RiposteMetrics.Names.ExecWaiting).ShouldBe(0, text);
        scraped.Value(RiposteMetrics.Names.TailLag, ("path", home.Alerts)).ShouldBe(0, text);

        // Growing the file without a newline: the lag is what the reader has not taken as a line yet.
        File.AppendAllText(home.Alerts, "{\"partial\":");
        var lagging = await ScrapeAsync(http);
        lagging.Value(RiposteMetrics.Names.TailLag, ("path", home.Alerts)).ShouldBe(11, lagging.Text);

        // Every catalog metric is declared with its Prometheus type, even those without a sample yet (notifications).
        foreach (var metric in RiposteMetrics.Catalog)
        {
            scraped.Types.ShouldContainKey(metric.Name, text);
            scraped.Types[metric.Name].ShouldBe(metric.Kind.ToString().ToLowerInvariant(), metric.Name);
        }

        daemon.Signal("TERM");
        (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);
    }

    [Fact]
    public async Task The_endpoint_wants_the_bearer_token_and_serves_nothing_but_metrics()
    {
        using var home = new TestHome();
        var port = FreePort();
        WriteSettings(home, $$"""{ "safety": { "never_block_self": false }, "metrics": { "listen": "localhost:{{port}}" }, "api": { "token_file": "token" } }""");
        File.WriteAllText(Path.Combine(home.Path, "token"), Token);
        File.SetUnixFileMode(Path.Combine(home.Path, "token"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Serving metrics on", StringComparison.Ordinal), "the metrics endpoint");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var ct = TestContext.Current.CancellationToken;

        var anonymous = await http.GetAsync("/metrics", ct);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        anonymous.Headers.WwwAuthenticate.ToString().ShouldBe("Bearer");
        (await Get(http, "/metrics", "wrong-token", ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Get(http, "/metrics", Token + "x", ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Get(http, "/", Token, ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using (var post = new HttpRequestMessage(HttpMethod.Post, "/metrics"))
        {
            post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            (await http.SendAsync(post, ct)).StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        }

        var ok = await Get(http, "/metrics", Token, ct);
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        ok.Content.Headers.ContentType!.ToString().ShouldBe(MetricsExposition.ContentType);
        (await ok.Content.ReadAsStringAsync(ct)).ShouldContain("# TYPE riposte_responses_total counter");

        // A removed token file locks the endpoint instead of opening it.
        File.Delete(Path.Combine(home.Path, "token"));
        (await Get(http, "/metrics", Token, ct)).StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        daemon.Signal("TERM");
        (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);
    }

    [Fact]
    public async Task A_non_loopback_listen_without_a_token_is_refused_before_anything_listens()
    {
        using var home = new TestHome();
        var port = FreePort();
        WriteSettings(home, $$"""{ "safety": { "never_block_self": false }, "metrics": { "listen": "0.0.0.0:{{port}}" } }""");
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);

        (await daemon.WaitForExitAsync()).ShouldBe(2, daemon.Log);
        daemon.Log.ShouldContain("is not a loopback address but api.token_file is not set");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Should.ThrowAsync<HttpRequestException>(() => http.GetAsync("/metrics", TestContext.Current.CancellationToken));
    }

    private static async Task<HttpResponseMessage> Get(HttpClient http, string path, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, cancellationToken);
    }

    private static async Task<Exposition> ScrapeAsync(HttpClient http)
    {
        var response = await Get(http, "/metrics", Token, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return Exposition.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static void WriteSettings(TestHome home, string json) => File.WriteAllText(Path.Combine(home.Path, "etc", "riposte.json"), json);

    /// <summary>A port free a moment ago (the settings need a real one: 0 is not a valid metrics.listen).</summary>
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
