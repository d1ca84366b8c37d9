using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Riposte.Cli.Api;

/// <summary>A real <c>riposte serve --api</c> daemon on a free loopback port, with a token file and clients for it.</summary>
internal sealed class ApiDaemon : IAsyncDisposable
{
    public const string Token = "test-token-0123456789abcdef";

    private ApiDaemon(TestHome home, DaemonProcess process, Uri baseAddress)
    {
        Home = home;
        Process = process;
        BaseAddress = baseAddress;
        Client = NewClient(Token);
        Anonymous = NewClient(null);
    }

    public TestHome Home { get; }

    public DaemonProcess Process { get; }

    public Uri BaseAddress { get; }

    /// <summary>Sends the right token.</summary>
    public HttpClient Client { get; }

    /// <summary>Sends no token.</summary>
    public HttpClient Anonymous { get; }

    public static string WriteTokenFile(string directory, string token = Token, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(directory, "api.token");
        File.WriteAllText(path, token + "\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static async Task<ApiDaemon> StartAsync(int timeout = 600)
    {
        var home = new TestHome(timeout);
        var tokenFile = WriteTokenFile(home.Path);
        var port = FreePort();
        var process = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--api", $"127.0.0.1:{port}", "--api-token-file", tokenFile);
        await TestHome.WaitForAsync(() => process.Log.Contains("HTTP API listening", StringComparison.Ordinal) || process.HasExited, "the API to listen");
        process.HasExited.ShouldBeFalse(process.Log);
        await TestHome.WaitForAsync(() => process.Log.Contains("Started", StringComparison.Ordinal), "start");
        return new ApiDaemon(home, process, new Uri($"http://127.0.0.1:{port}"));
    }

    public HttpClient NewClient(string? token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Runs <c>riposte trigger</c> for <paramref name="ip"/> through the daemon's control socket.</summary>
    public async Task TriggerAsync(string ip)
    {
        var result = await CliRunner.RunAsync(["trigger", "--home", Home.Path, "--command", "firewall-drop600", "--srcip", ip]);
        result.ExitCode.ShouldBe(0, result.Error);
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Checks that <paramref name="response"/> is an RFC 7807 problem with <paramref name="status"/> and a detail.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", body);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        problem.GetProperty("status").GetInt32().ShouldBe((int)status);
        problem.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
        return problem;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        if (!Process.HasExited)
        {
            Process.Signal("TERM");
            await Process.WaitForExitAsync();
        }

        await Process.DisposeAsync();
        Home.Dispose();
    }
}

/// <summary>One daemon shared by a test class (tests use their own addresses, so they do not see each other's entries).</summary>
public sealed class ApiDaemonFixture : IAsyncLifetime
{
    internal ApiDaemon Daemon { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Daemon = await ApiDaemon.StartAsync();

    public async ValueTask DisposeAsync() => await Daemon.DisposeAsync();
}
