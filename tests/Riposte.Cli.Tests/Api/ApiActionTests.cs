using System.Net;
using System.Text;
using System.Text.Json;

namespace Riposte.Cli.Api;

/// <summary><c>POST /api/v1/trigger</c> and <c>POST /api/v1/explain</c> against a real daemon, with good and hostile bodies.</summary>
public sealed class ApiActionTests(ApiDaemonFixture fixture) : IClassFixture<ApiDaemonFixture>
{
    private ApiDaemon Daemon => fixture.Daemon;

    private Task<HttpResponseMessage> PostAsync(string path, string body, string contentType = "application/json") =>
        Daemon.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Trigger_runs_the_response_through_the_engine()
    {
        using var response = await PostAsync("/api/v1/trigger", """{"response":"firewall-drop600","ip":"198.51.100.51"}""");
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var reply = JsonDocument.Parse(body).RootElement;
        reply.EnumerateObject().Select(p => p.Name).ShouldBe(["ok", "result", "rkey", "detail"]);
        reply.GetProperty("ok").GetBoolean().ShouldBeTrue();
        reply.GetProperty("result").GetString().ShouldBe("continued");
        reply.GetProperty("rkey").GetString().ShouldBe("firewall-drop-198.51.100.51");
        Daemon.Home.Events().ShouldContain("add 198.51.100.51");
        var active = await Daemon.GetJsonAsync("/api/v1/active?key=198.51.100.51");
        active.GetProperty("total").GetInt32().ShouldBe(1);
        var history = await Daemon.GetJsonAsync("/api/v1/history?key=198.51.100.51&event=add");
        history.GetProperty("items")[0].GetProperty("source").GetString().ShouldBe("api");

        // command and srcip are the CLI's names for the same members.
        using var again = await PostAsync("/api/v1/trigger", """{"command":"firewall-drop600","srcip":"198.51.100.52","arguments":["-x"]}""");
        again.StatusCode.ShouldBe(HttpStatusCode.OK, await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Daemon.Home.Events().ShouldContain("add 198.51.100.52");
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadBodies() => new()
    {
        { "text/plain", """{"response":"firewall-drop600","ip":"198.51.100.60"}""", HttpStatusCode.UnsupportedMediaType, "Content-Type" },
        { "application/json", "response=firewall-drop600", HttpStatusCode.BadRequest, "not valid JSON" },
        { "application/json", "", HttpStatusCode.BadRequest, "needs a JSON body" },
        { "application/json", """["firewall-drop600"]""", HttpStatusCode.BadRequest, "JSON object" },
        { "application/json", """{"response":600,"ip":"198.51.100.60"}""", HttpStatusCode.BadRequest, "'response' must be a string" },
        { "application/json", """{"response":"firewall-drop600","ip":["198.51.100.60"]}""", HttpStatusCode.BadRequest, "'ip' must be a string" },
        { "application/json", """{"response":"firewall-drop600","alert":"x"}""", HttpStatusCode.BadRequest, "'alert' must be a JSON object" },
        { "application/json", """{"response":"firewall-drop600","arguments":[1]}""", HttpStatusCode.BadRequest, "array of strings" },
        { "application/json", """{"ip":"198.51.100.60"}""", HttpStatusCode.BadRequest, "needs 'response'" },
        { "application/json", """{"response":"firewall-drop600","ip":"198.51.100.60","timeout":60}""", HttpStatusCode.BadRequest, "part of the response's name" },
        { "application/json", """{"response":"no-such-ar600","ip":"198.51.100.60"}""", HttpStatusCode.UnprocessableEntity, "no active response is named" },
        { "application/json", """{"response":"firewall-drop600","ip":"999.1.2.3"}""", HttpStatusCode.UnprocessableEntity, "ip '999.1.2.3' is refused" },
        { "application/json", """{"response":"firewall-drop600","ip":"198.51.100.60; rm -rf /"}""", HttpStatusCode.UnprocessableEntity, "is refused" },
        { "application/json", """{"response":"firewall-drop600","user":"bob;rm -rf /"}""", HttpStatusCode.UnprocessableEntity, "user 'bob;rm -rf /' is refused" },
        { "application/json", """{"response":"firewall-drop600","user":"$(reboot)"}""", HttpStatusCode.UnprocessableEntity, "is refused" },
        { "application/json", """{"response":"firewall-drop600","user":"root"}""", HttpStatusCode.UnprocessableEntity, "never root" },
        { "application/json", """{"response":"firewall-drop600","alert":{"data":{"srcip":"`id`"}}}""", HttpStatusCode.UnprocessableEntity, "the address a program would act on" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_trigger_bodies_are_problems_and_run_nothing(string contentType, string body, HttpStatusCode status, string detail)
    {
        var before = Daemon.Home.Events().Length;
        using var response = await PostAsync("/api/v1/trigger", body, contentType);
        var problem = await ApiDaemon.ShouldBeProblemAsync(response, status);
        problem.GetProperty("detail").GetString()!.ShouldContain(detail, Case.Insensitive);
        Daemon.Home.Events().Length.ShouldBe(before);
    }

    [Theory]
    [InlineData("/api/v1/trigger")]
    [InlineData("/api/v1/explain")]
    [InlineData("/active-response")]
    public async Task A_body_over_64_KiB_is_413(string path)
    {
        var big = """{"response":"firewall-drop600","alert":{"full_log":"PAD"}}""".Replace("PAD", new string('x', 70 * 1024), StringComparison.Ordinal);
        using var content = new StringContent(big, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(path == "/active-response" ? HttpMethod.Put : HttpMethod.Post, path) { Content = content };
        using var response = await Daemon.Client.SendAsync(request, TestContext.Current.CancellationToken);
        await ApiDaemon.ShouldBeProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);

        // Without a Content-Length (chunked), the limit still holds while reading.
        using var chunked = new HttpRequestMessage(request.Method, path) { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))) };
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Content.Headers.ContentType = new("application/json");
        using var chunkedResponse = await Daemon.Client.SendAsync(chunked, TestContext.Current.CancellationToken);
        await ApiDaemon.ShouldBeProblemAsync(chunkedResponse, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Explain_answers_what_the_cli_prints()
    {
        const string alert = """{"rule":{"level":10,"id":"5712","groups":["sshd"]},"agent":{"id":"001","name":"web"},"id":"9.1","data":{"srcip":"198.51.100.70"}}""";
        var file = Path.Combine(Daemon.Home.Path, "explain-alert.json");
        File.WriteAllText(file, alert + "\n");
        var cli = await CliRunner.RunAsync(["explain", "-c", Daemon.Home.Config, "--alerts", file, "--format", "json"]);
        cli.ExitCode.ShouldBe(0, cli.Error);

        using var response = await PostAsync("/api/v1/explain", alert);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        body.ShouldBe(cli.Out.TrimEnd('\n'));
        JsonDocument.Parse(body).RootElement.GetProperty("actions")[0].GetProperty("ar").GetString().ShouldBe("firewall-drop600");

        // Explaining runs nothing.
        Daemon.Home.Events().ShouldNotContain("add 198.51.100.70");

        using var notAlert = await PostAsync("/api/v1/explain", "[1,2]");
        await ApiDaemon.ShouldBeProblemAsync(notAlert, HttpStatusCode.BadRequest);
        using var notJson = await PostAsync("/api/v1/explain", "{\"rule\":");
        await ApiDaemon.ShouldBeProblemAsync(notJson, HttpStatusCode.BadRequest);
    }
}
