using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Riposte.Nats;

/// <summary>What to start a nats-server with.</summary>
/// <param name="Extra">Configuration text appended to the generated file (an authorization block, TLS, an include).</param>
/// <param name="Cluster">For a cluster node: its name, its route port and every node's route port.</param>
internal sealed record NatsServerOptions(string? Extra = null, NatsClusterNode? Cluster = null);

/// <summary>A node's place in a loopback cluster.</summary>
internal sealed record NatsClusterNode(string Name, int RoutePort, IReadOnlyList<int> Routes);

/// <summary>
/// A real nats-server with JetStream for a test: loopback only, a port the kernel picked, its own store in a temp
/// directory, stopped by pid. It can be killed and restarted on the same port and store, as a crash would.
/// </summary>
internal sealed class NatsServerProcess : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _configPath;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private NatsServerProcess(string directory, string configPath, int port)
    {
        _directory = directory;
        _configPath = configPath;
        Port = port;
    }

    /// <summary>The client port.</summary>
    public int Port { get; private set; }

    /// <summary>The client URL.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>The process id while running.</summary>
    public int Pid => _process?.Id ?? 0;

    /// <summary>The server's log so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>True when nats-server is on the PATH (the CI installs it).</summary>
    public static bool IsAvailable => FindExecutable() is not null;

    /// <summary>Starts one server; its client port is chosen by the kernel (or the cluster layout).</summary>
    public static async Task<NatsServerProcess> StartAsync(NatsServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new NatsServerOptions();
        var directory = Directory.CreateTempSubdirectory("riposte-nats-").FullName;
        var port = FreePort();
        var config = Path.Combine(directory, "nats.conf");
        var server = new NatsServerProcess(directory, config, port);
        server.WriteConfig(options);
        await server.LaunchAsync(cancellationToken);
        return server;
    }

    /// <summary>Starts a three-node cluster with replicated JetStream on loopback.</summary>
    public static async Task<NatsServerProcess[]> StartClusterAsync(int nodes = 3, string? extra = null, CancellationToken cancellationToken = default)
    {
        var routes = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToArray();
        var servers = new NatsServerProcess[nodes];
        var starts = new Task<NatsServerProcess>[nodes];
        for (var i = 0; i < nodes; i++)
        {
            starts[i] = StartAsync(new NatsServerOptions(extra, new NatsClusterNode($"n{i + 1}", routes[i], routes)), cancellationToken);
        }

        for (var i = 0; i < nodes; i++)
        {
            servers[i] = await starts[i];
        }

        return servers;
    }

    /// <summary>Rewrites the configuration (e.g. a new authorization block) and asks the server to reload it (SIGHUP).</summary>
    public async Task ReloadAsync(NatsServerOptions options)
    {
        WriteConfig(options);
        Signal(1);
        // The reload is asynchronous; the server logs when it is done.
        var deadline = Environment.TickCount64 + 10_000;
        while (!Log.Contains("Reloaded server configuration", StringComparison.Ordinal) && Environment.TickCount64 < deadline)
        {
            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL: the server dies as in a crash, keeping its store for <see cref="RestartAsync"/>.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Starts the server again on the same port and store.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await KillAsync();
        await LaunchAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            Signal(15);
            if (!process.WaitForExit(5000))
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Signal(int signal)
    {
        if (_process is { HasExited: false } process)
        {
            _ = kill(process.Id, signal);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private void WriteConfig(NatsServerOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine($"listen: 127.0.0.1:{Port}");
        text.AppendLine("http: 127.0.0.1:-1");
        text.AppendLine($"server_name: {options.Cluster?.Name ?? "test"}");
        text.AppendLine($"jetstream {{ store_dir: \"{Path.Combine(_directory, "js")}\", max_memory_store: 64MB, max_file_store: 1GB }}");
        if (options.Cluster is { } cluster)
        {
            text.AppendLine("cluster {");
            text.AppendLine("  name: riposte-test");
            text.AppendLine($"  listen: 127.0.0.1:{cluster.RoutePort}");
            text.AppendLine($"  routes: [{string.Join(", ", cluster.Routes.Select(r => $"nats-route://127.0.0.1:{r}"))}]");
            text.AppendLine("}");
        }

        if (options.Extra is { } extra)
        {
            text.AppendLine(extra);
        }

        File.WriteAllText(_configPath, text.ToString());
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var ports = Path.Combine(_directory, "ports");
        Directory.CreateDirectory(ports);
        foreach (var old in Directory.GetFiles(ports))
        {
            File.Delete(old);
        }

        var start = new ProcessStartInfo(FindExecutable() ?? throw new InvalidOperationException("nats-server is not installed"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-c", _configPath, "--ports_file_dir", ports])
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process?.Dispose();
        _process = process;

        // Ready when the monitoring endpoint says JetStream is up (a cluster node: once it has a meta leader).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Environment.TickCount64 + 30_000;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nats-server exited with {process.ExitCode}: {Log}");
            }

            if (MonitorPort(ports) is { } monitor)
            {
                try
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{monitor}/healthz?js-enabled-only=true", cancellationToken);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"nats-server did not become ready: {Log}");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private static int? MonitorPort(string portsDirectory)
    {
        foreach (var file in Directory.GetFiles(portsDirectory, "*.ports"))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(file));
                if (doc.RootElement.TryGetProperty("monitoring", out var monitoring) && monitoring.GetArrayLength() > 0)
                {
                    var url = new Uri(monitoring[0].GetString()!);
                    return url.Port;
                }
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
                // Being written.
            }
        }

        return null;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static string? FindExecutable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/local/bin", "/usr/bin"]))
        {
            var candidate = Path.Combine(dir, "nats-server");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
