using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Riposte.Notifications.Infrastructure;

/// <summary>A local HTTP receiver on loopback: records each POST body; answers what <see cref="Answer"/> says.</summary>
internal sealed class HttpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private int _requests;

    public HttpReceiver(int? port = null)
    {
        Port = port ?? FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/hook");

    /// <summary>The status for request number n (1-based); 0 never answers (a hanging receiver).</summary>
    public Func<int, int> Answer { get; set; } = _ => 200;

    /// <summary>When set, each request waits for it before being answered (a send held in flight).</summary>
    public Task? Hold { get; set; }

    /// <summary>Bodies of requests answered 2xx, in arrival order.</summary>
    public ConcurrentQueue<JsonNode> Accepted { get; } = new();

    public ConcurrentQueue<NameValueHeader> Headers { get; } = new();

    public int Requests => Volatile.Read(ref _requests);

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                int n = Interlocked.Increment(ref _requests);
                using var reader = new StreamReader(context.Request.InputStream);
                string body = await reader.ReadToEndAsync();
                if (Hold is { } hold)
                {
                    await hold.WaitAsync(_stop.Token).ContinueWith(_ => { });
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                }

                int status = Answer(n);
                if (status == 0)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { });
                    return;
                }

                if (status is >= 200 and < 300)
                {
                    Accepted.Enqueue(JsonNode.Parse(body)!);
                    foreach (string? name in context.Request.Headers.AllKeys)
                    {
                        Headers.Enqueue(new NameValueHeader(name!, context.Request.Headers[name]!));
                    }
                }

                context.Response.StatusCode = status;
                context.Response.Close();
            });
        }
    }
}

internal sealed record NameValueHeader(string Name, string Value);
