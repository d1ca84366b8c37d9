using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Riposte.Engine;

namespace Riposte.Cli.Daemon;

/// <summary>
/// The daemon's control socket: a Unix stream socket (mode 0600) through which <c>revoke</c> and <c>trigger</c> reach the
/// running engine, so one process owns the timeout list. Peers must run as the daemon's user or root (SO_PEERCRED).
/// </summary>
internal sealed class ControlServer : IAsyncDisposable
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    private readonly string _path;
    private readonly ResponseEngine _engine;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public ControlServer(string path, ResponseEngine engine, ILogger logger)
    {
        _path = path;
        _engine = engine;
        _logger = logger;
        // Exact modes whatever the umask (HOME/queue 0750 as Wazuh has it, queue/riposte 0700); an existing
        // queue/riposte is closed again, as the socket's only guard besides SO_PEERCRED.
        State.SecureDirectory.Ensure(Path.GetDirectoryName(path)!, State.SecureDirectory.OwnerOnly, State.SecureDirectory.GroupReadable);
        File.SetUnixFileMode(Path.GetDirectoryName(path)!, State.SecureDirectory.OwnerOnly);
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _socket.Listen(16);
    }

    public void Start() => _loop = Task.Run(AcceptLoopAsync);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning(ex, "Control socket accept failed");
                continue;
            }

            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(Socket client)
    {
        using (client)
        {
            await using var stream = new NetworkStream(client, ownsSocket: false);
            ControlReply reply;
            try
            {
                if (!PeerAllowed(client))
                {
                    reply = new ControlReply(false, "permission denied", []);
                }
                else
                {
                    using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
                    var line = await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false);
                    var request = line is null ? null : JsonSerializer.Deserialize(line, ControlJson.Default.ControlRequest);
                    reply = request is null ? new ControlReply(false, "empty request", []) : await HandleAsync(request).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is JsonException or FormatException or IOException)
            {
                reply = new ControlReply(false, ex.Message, []);
            }

            var bytes = JsonSerializer.SerializeToUtf8Bytes(reply, ControlJson.Default.ControlReply);
            try
            {
                await stream.WriteAsync(bytes).ConfigureAwait(false);
                stream.WriteByte((byte)'\n');
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task<ControlReply> HandleAsync(ControlRequest request)
    {
        switch (request.Op)
        {
            case "ping":
                return new ControlReply(true, null, []);
            case "exec" when request.Body is not null:
                var outcome = await _engine.ExecuteAsync(new ExecRequest(Convert.FromBase64String(request.Body), "trigger"), _stop.Token).ConfigureAwait(false);
                return new ControlReply(true, null, [ToControl(outcome)]);
            case "revoke" when request.Key is not null:
                var outcomes = await _engine.RevokeAsync(request.Key, _stop.Token).ConfigureAwait(false);
                return new ControlReply(true, null, [.. outcomes.Select(ToControl)]);
            default:
                return new ControlReply(false, $"unknown request '{request.Op}'", []);
        }
    }

    internal static ControlOutcome ToControl(ExecOutcome outcome) =>
        new(outcome.Result.ToString().ToLowerInvariant(), outcome.RKey, outcome.Detail);

    private static bool PeerAllowed(Socket client)
    {
        Span<byte> credentials = stackalloc byte[12];
        if (client.GetRawSocketOption(SolSocket, SoPeerCred, credentials) < 12)
        {
            return false;
        }

        var uid = BitConverter.ToUInt32(credentials[4..8]);
        return uid == 0 || uid == OwnUid;
    }

    private static readonly uint OwnUid = ReadOwnUid();

    /// <summary>The real uid from /proc (no P/Invoke needed for one number).</summary>
    private static uint ReadOwnUid()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                return uint.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }

        _stop.Dispose();
    }
}
