using System.Net.Http.Headers;
using Riposte.Cli;
using Riposte.Cli.Api;
using Riposte.Nats;

namespace Riposte.Fleet;

/// <summary>
/// A fleet on its own nats-server: a manager serving the API on loopback, agent 001 enrolled (started on request, so
/// a test can have it down first), and a client holding the token.
/// </summary>
internal sealed class ManagerWithApi : IAsyncDisposable
{
    private readonly NatsServerProcess _nats;
    private DaemonProcess? _agent;

    private ManagerWithApi(NatsServerProcess nats, FleetHomes fleet, TestHome agentHome, DaemonProcess manager, int port)
    {
        _nats = nats;
        Fleet = fleet;
        AgentHome = agentHome;
        Manager = manager;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiDaemon.Token);
    }

    public FleetHomes Fleet { get; }

    /// <summary>Agent 001's home (its programs write their runs to its events file).</summary>
    public TestHome AgentHome { get; }

    public DaemonProcess Manager { get; }

    public int Port { get; }

    public HttpClient Client { get; }

    /// <summary>Starts a manager with <paramref name="blocks"/> and its API; returns once the API listens.</summary>
    public static async Task<ManagerWithApi> StartAsync(string blocks, CancellationToken cancellationToken)
    {
        var nats = await NatsServerProcess.StartAsync(cancellationToken: cancellationToken);
        var fleet = new FleetHomes(blocks);
        var home = fleet.AddAgentHome(["firewall-drop600"]);
        fleet.Enrol(FleetHomes.Agent("001"));
        var token = ApiDaemon.WriteTokenFile(fleet.Manager.Path);
        var port = ApiDaemon.FreePort();
        var manager = fleet.StartManager(nats.Url, "--api", $"127.0.0.1:{port}", "--api-token-file", token);
        var started = new ManagerWithApi(nats, fleet, home, manager, port);
        await TestHome.WaitForAsync(() => manager.Log.Contains("HTTP API listening", StringComparison.Ordinal), "the manager's API", 30_000);
        return started;
    }

    /// <summary>Starts agent 001.</summary>
    public void StartAgent() => _agent ??= FleetHomes.StartAgent(AgentHome, "001", _nats.Url);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        await Manager.DisposeAsync();
        Fleet.Dispose();
        await _nats.DisposeAsync();
    }
}
