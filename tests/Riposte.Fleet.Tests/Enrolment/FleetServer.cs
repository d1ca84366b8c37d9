using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Riposte.Fleet.Enrolment;
using Riposte.Fleet.Registry;
using Riposte.Fleet.Transport;
using Riposte.Nats;

namespace Riposte.Fleet.Enrolment;

/// <summary>
/// A real nats-server running the authorization Riposte wrote for agents 001 and 002, with the fleet's streams and
/// consumers created by the manager user, as a manager would at start.
/// </summary>
internal sealed class FleetServer : IAsyncDisposable
{
    private readonly List<NatsConnection> _connections = [];

    private FleetServer(string root, AgentEnrolment enrolment, NatsServerProcess server, NatsServerOptions options)
    {
        Root = root;
        Enrolment = enrolment;
        Server = server;
        Options = options;
    }

    public string Root { get; }

    public AgentEnrolment Enrolment { get; }

    public FleetPaths Paths => Enrolment.Paths;

    public NatsServerProcess Server { get; }

    public NatsServerOptions Options { get; }

    /// <summary>The manager's connection (connected) and its JetStream context.</summary>
    public NatsConnection Manager { get; private set; } = null!;

    public NatsJSContext ManagerJs { get; private set; } = null!;

    /// <summary>
    /// The include nats-server 2.9 needs: relative to the test server's own config file. Both directories are made
    /// directly under the temp directory, so "../NAME/..." reaches the fleet's file.
    /// </summary>
    public static string IncludeFrom(string root, FleetPaths paths) =>
        $"include \"../{Path.GetFileName(root)}/{Path.GetRelativePath(root, paths.Authorization)}\"";

    public static async Task<FleetServer> StartAsync(string? extra = null, bool createStreams = true, CancellationToken ct = default)
    {
        var root = Directory.CreateTempSubdirectory("riposte-fleet-").FullName;
        var enrolment = new AgentEnrolment(FleetPaths.For(root, Path.Combine(root, "var", "state.db")));
        enrolment.Add(new EnrolledAgent("001", ["web"], new Dictionary<string, string>()));
        enrolment.Add(new EnrolledAgent("002", ["db"], new Dictionary<string, string>()));
        var options = new NatsServerOptions(Extra: (extra is null ? "" : extra + "\n") + IncludeFrom(root, enrolment.Paths));
        var server = await NatsServerProcess.StartAsync(options, ct);
        var fleet = new FleetServer(root, enrolment, server, options);
        if (extra is null)
        {
            fleet.Manager = await fleet.ConnectManagerAsync(ct);
            fleet.ManagerJs = new NatsJSContext(fleet.Manager);
            if (createStreams)
            {
                await fleet.CreateStreamsAsync(ct);
            }
        }

        return fleet;
    }

    public async Task CreateStreamsAsync(CancellationToken ct)
    {
        await ManagerJs.CreateStreamAsync(new StreamConfig(FleetNames.CommandStream, [FleetNames.CommandPrefix + "*"])
        {
            Retention = StreamConfigRetention.Workqueue,
            Storage = StreamConfigStorage.File,
            DuplicateWindow = TimeSpan.FromMinutes(2),
        }, ct);
        await ManagerJs.CreateStreamAsync(new StreamConfig(FleetNames.OutcomeStream, [FleetNames.OutcomePrefix + "*"])
        {
            Retention = StreamConfigRetention.Limits,
            Storage = StreamConfigStorage.File,
        }, ct);
        foreach (var id in (string[])["001", "002"])
        {
            await ManagerJs.CreateOrUpdateConsumerAsync(FleetNames.CommandStream, new ConsumerConfig(FleetNames.AgentConsumer(id))
            {
                FilterSubject = FleetNames.CommandSubject(id),
                AckPolicy = ConsumerConfigAckPolicy.Explicit,
                DeliverPolicy = ConsumerConfigDeliverPolicy.All,
                AckWait = TimeSpan.FromSeconds(30),
                MaxAckPending = 256,
            }, ct);
        }
    }

    public Task<NatsConnection> ConnectManagerAsync(CancellationToken ct, FleetTls? tls = null) =>
        ConnectAsync(FleetCredentials.Read(Paths.ManagerCredentials), FleetNames.ManagerInboxPrefix, "riposte-manager", tls, ct);

    public Task<NatsConnection> ConnectAgentAsync(string id, CancellationToken ct) =>
        ConnectAsync(FleetCredentials.Read(Paths.AgentCredentials(id)), FleetNames.AgentInboxPrefix(id), "riposte-agent-" + id, null, ct);

    /// <summary>Connects with <paramref name="credentials"/>; denied API requests fail after 1 s instead of FleetConnection's 5.</summary>
    public async Task<NatsConnection> ConnectAsync(FleetCredentials credentials, string inboxPrefix, string name, FleetTls? tls, CancellationToken ct)
    {
        var options = FleetConnection.Options(new FleetConnectionOptions(Server.Url, credentials, inboxPrefix, name, tls)) with
        {
            RequestTimeout = TimeSpan.FromSeconds(1),
        };
        var connection = new NatsConnection(options);
        _connections.Add(connection);
        await connection.ConnectAsync();
        ct.ThrowIfCancellationRequested();
        return connection;
    }

    /// <summary>Waits for the server to log <paramref name="text"/> (a violation is logged as it is refused).</summary>
    public async Task WaitForLogAsync(string text, CancellationToken ct)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (!Server.Log.Contains(text, StringComparison.Ordinal))
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"nats-server never logged {text}:\n{Server.Log}");
            }

            await Task.Delay(10, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        await Server.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
