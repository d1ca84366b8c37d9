using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Riposte.Support;

/// <summary>A minimal HTTP/1.1 server on 127.0.0.1 that records requests and answers each with a fixed status.</summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackHttpServer(int status = 200, bool silent = false)
    {
        _listener.Start();
        _loop = Task.Run(() => AcceptAsync(status, silent));
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public List<Request> Requests { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(int status, bool silent)
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var stream = client.GetStream();
            var head = new List<byte>();
            while (head.Count < 4 || !head.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray()))
            {
                var b = stream.ReadByte();
                if (b < 0)
                {
                    break;
                }

                head.Add((byte)b);
            }

            var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
            var headers = lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal))
                .ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)].ToLowerInvariant(), l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
            var body = new byte[headers.TryGetValue("content-length", out var length) ? int.Parse(length, System.Globalization.CultureInfo.InvariantCulture) : 0];
            await stream.ReadExactlyAsync(body, _stop.Token);
            lock (Requests)
            {
                Requests.Add(new Request(lines[0], headers, Encoding.UTF8.GetString(body)));
            }

            if (silent)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            var answer = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(answer, _stop.Token);
        }
    }

    public sealed record Request(string RequestLine, Dictionary<string, string> Headers, string Body);
}
