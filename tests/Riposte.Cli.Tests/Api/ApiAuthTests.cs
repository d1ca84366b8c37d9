using System.Net;
using System.Text.Json;

namespace Riposte.Cli.Api;

/// <summary>Token authentication and the daemon's refusal to start with an unsafe token file, against real daemons.</summary>
public sealed class ApiAuthTests(ApiDaemonFixture fixture) : IClassFixture<ApiDaemonFixture>
{
    private ApiDaemon Daemon => fixture.Daemon;

    [Fact]
    public async Task Healthz_is_open_and_everything_else_needs_the_token()
    {
        using var health = await Daemon.Anonymous.GetAsync("/healthz", TestContext.Current.CancellationToken);
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("""{"status":"ok"}""");

        foreach (var path in new[] { "/api/v1/active", "/api/v1/history", "/api/v1/events", "/openapi/v1.json", "/nowhere", "/metrics" })
        {
            using var response = await Daemon.Anonymous.GetAsync(path, TestContext.Current.CancellationToken);
            var problem = await ApiDaemon.ShouldBeProblemAsync(response, HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
            problem.GetProperty("detail").GetString()!.ShouldContain("Authorization: Bearer");
        }

        using var delete = await Daemon.Anonymous.DeleteAsync("/api/v1/active/firewall-drop-192.0.2.1", TestContext.Current.CancellationToken);
        await ApiDaemon.ShouldBeProblemAsync(delete, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("wrong-token")]
    [InlineData("test-token-0123456789abcdeX")]
    [InlineData("test-token-0123456789abcdef-and-more")]
    [InlineData("test-token-0123456789abcde")]
    public async Task A_wrong_token_is_401(string token)
    {
        using var client = Daemon.NewClient(token);
        using var response = await client.GetAsync("/api/v1/active", TestContext.Current.CancellationToken);
        var problem = await ApiDaemon.ShouldBeProblemAsync(response, HttpStatusCode.Unauthorized);
        problem.GetProperty("detail").GetString()!.ShouldContain("not the one");
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
    }

    [Fact]
    public async Task Another_scheme_is_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/active");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic " + ApiDaemon.Token);
        using var response = await Daemon.Anonymous.SendAsync(request, TestContext.Current.CancellationToken);
        (await ApiDaemon.ShouldBeProblemAsync(response, HttpStatusCode.Unauthorized)).GetProperty("detail").GetString()!.ShouldContain("Bearer scheme");
    }

    [Fact]
    public async Task The_right_token_is_accepted_and_unknown_routes_are_404_problems()
    {
        (await Daemon.GetJsonAsync("/api/v1/active")).GetProperty("total").GetInt32().ShouldBeGreaterThanOrEqualTo(0);
        using var nowhere = await Daemon.Client.GetAsync("/api/v1/nowhere", TestContext.Current.CancellationToken);
        await ApiDaemon.ShouldBeProblemAsync(nowhere, HttpStatusCode.NotFound);
        // The bearer token opens the dashboard page too (a browser signs in for a cookie instead).
        using var root = await Daemon.Client.GetAsync("/", TestContext.Current.CancellationToken);
        root.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await root.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("/dashboard.js");
    }

    [Fact]
    public async Task The_openapi_document_lists_every_route()
    {
        var document = await Daemon.GetJsonAsync("/openapi/v1.json");
        document.GetProperty("info").GetProperty("title").GetString().ShouldBe("Riposte API");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/healthz", "/api/v1/active", "/api/v1/active/{rkey}", "/api/v1/history", "/api/v1/events", "/api/v1/trigger",
            "/api/v1/explain", "/active-response", "/security/user/authenticate" })
        {
            paths.ShouldContain(path);
        }
    }

    public static TheoryData<string> UnsafeTokenFiles() => ["missing", "world-readable", "group-readable", "symlink", "empty", "directory", "two-words", "other-owner"];

    [Theory]
    [MemberData(nameof(UnsafeTokenFiles))]
    public async Task The_daemon_refuses_to_start_with_an_unsafe_token_file(string kind)
    {
        using var home = new TestHome();
        var path = Path.Combine(home.Path, "api.token");
        switch (kind)
        {
            case "world-readable":
                ApiDaemon.WriteTokenFile(home.Path, mode: (UnixFileMode)0b110_100_100);
                break;
            case "group-readable":
                ApiDaemon.WriteTokenFile(home.Path, mode: (UnixFileMode)0b110_100_000);
                break;
            case "symlink":
                var real = ApiDaemon.WriteTokenFile(Directory.CreateDirectory(Path.Combine(home.Path, "real")).FullName);
                File.CreateSymbolicLink(path, real);
                break;
            case "empty":
                ApiDaemon.WriteTokenFile(home.Path, token: "  ");
                break;
            case "directory":
                Directory.CreateDirectory(path);
                break;
            case "two-words":
                ApiDaemon.WriteTokenFile(home.Path, token: "two words");
                break;
            case "other-owner":
                Assert.SkipUnless(Environment.UserName == "root", "changing a file's owner needs root");
                ApiDaemon.WriteTokenFile(home.Path);
                using (var chown = System.Diagnostics.Process.Start("chown", ["65534", path])!)
                {
                    await chown.WaitForExitAsync(TestContext.Current.CancellationToken);
                    chown.ExitCode.ShouldBe(0);
                }

                break;
        }

        var port = ApiDaemon.FreePort();
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--api", $"127.0.0.1:{port}", "--api-token-file", path);
        (await daemon.WaitForExitAsync()).ShouldBe(ExitCodes.InvalidInput, daemon.Log);
        daemon.Log.ShouldContain("refusing to start");
        daemon.Log.ShouldContain(kind switch
        {
            "missing" => "does not exist",
            "world-readable" => "mode 0644",
            "group-readable" => "mode 0640",
            "symlink" => "is a symlink",
            "empty" => "is empty",
            "two-words" => "one token on one line",
            "other-owner" => "is owned by uid 65534",
            _ => "not a regular file",
        });
        daemon.Log.ShouldNotContain("HTTP API listening");
    }

    [Fact]
    public async Task A_port_in_use_stops_the_daemon_with_a_clear_message()
    {
        using var home = new TestHome();
        var token = ApiDaemon.WriteTokenFile(home.Path);
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--api", $"127.0.0.1:{port}", "--api-token-file", token);
        (await daemon.WaitForExitAsync()).ShouldBe(ExitCodes.Unavailable, daemon.Log);
        daemon.Log.ShouldContain($"the API cannot listen on 127.0.0.1:{port}");
    }

    [Fact]
    public async Task A_listener_without_a_token_file_is_a_usage_error()
    {
        using var home = new TestHome();
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--api", "127.0.0.1:1");
        (await daemon.WaitForExitAsync()).ShouldBe(ExitCodes.Usage, daemon.Log);
        daemon.Log.ShouldContain("needs a token");
    }

    [Fact]
    public async Task The_settings_api_section_turns_the_api_on()
    {
        using var home = new TestHome();
        var token = ApiDaemon.WriteTokenFile(home.Path);
        var port = ApiDaemon.FreePort();
        File.WriteAllText(Path.Combine(home.Path, "etc", "riposte.json"), JsonSerializer.Serialize(new
        {
            safety = new { never_block_self = false },
            api = new { listen = $"127.0.0.1:{port}", token_file = "api.token" },
        }));
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("HTTP API listening", StringComparison.Ordinal) || daemon.HasExited, "the API");
        daemon.Log.ShouldContain($"http://127.0.0.1:{port}", customMessage: daemon.Log);
        daemon.Log.ShouldContain(token);
        daemon.Signal("TERM");
        (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);
    }
}
