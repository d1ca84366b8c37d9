using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Riposte.Notifications.Infrastructure;

/// <summary>A local SMTP server speaking enough for MailKit: EHLO, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, QUIT.</summary>
internal sealed class SmtpSink : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;

    public SmtpSink(string mechanisms = "PLAIN LOGIN", System.Security.Cryptography.X509Certificates.X509Certificate2? startTls = null)
    {
        _certificate = startTls;
        _listener.Start();
        _ = Task.Run(() => LoopAsync(mechanisms));
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<Mail> Mails { get; } = new();

    /// <summary>user/password pairs that authenticated, with the mechanism.</summary>
    public ConcurrentQueue<string> Logins { get; } = new();

    /// <summary>True once a mail arrived over a connection that completed STARTTLS.</summary>
    public bool Encrypted { get; private set; }

    public void Dispose() => _listener.Stop();

    private async Task LoopAsync(string mechanisms)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client, mechanisms));
        }
    }

    private async Task ServeAsync(TcpClient client, string mechanisms)
    {
        using var _ = client;
        Stream stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 sink ESMTP");
        string? from = null;
        var to = new List<string>();
        // Per connection: a client that gave up on the server's certificate has left this one unsent.
        var secured = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            string verb = line.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "STARTTLS" when _certificate is not null:
                    await writer.WriteLineAsync("220 go ahead");
                    var tls = new System.Net.Security.SslStream(stream);
                    await tls.AuthenticateAsServerAsync(_certificate);
                    stream = tls;
                    reader = new StreamReader(stream, Encoding.ASCII);
                    writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                    secured = true;
                    break;
                case "EHLO":
                    await writer.WriteLineAsync("250-sink");
                    if (_certificate is not null && !secured)
                    {
                        await writer.WriteLineAsync("250-STARTTLS");
                    }

                    await writer.WriteLineAsync("250-AUTH " + mechanisms);
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "AUTH" when line.Split(' ')[1].Equals("PLAIN", StringComparison.OrdinalIgnoreCase):
                    string plain = line.Split(' ').Length > 2 ? line.Split(' ')[2] : await Ask(writer, reader, "334 ");
                    var parts = Encoding.UTF8.GetString(Convert.FromBase64String(plain)).Split('\0');
                    Logins.Enqueue($"PLAIN {parts[1]}/{parts[2]}");
                    await writer.WriteLineAsync("235 ok");
                    break;
                case "AUTH":
                    string user = Encoding.UTF8.GetString(Convert.FromBase64String(line.Split(' ').Length > 2 ? line.Split(' ')[2] : await Ask(writer, reader, "334 VXNlcm5hbWU6")));
                    string password = Encoding.UTF8.GetString(Convert.FromBase64String(await Ask(writer, reader, "334 UGFzc3dvcmQ6")));
                    Logins.Enqueue($"LOGIN {user}/{password}");
                    await writer.WriteLineAsync("235 ok");
                    break;
                case "MAIL":
                    from = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Trim('<', '>').Split('>')[0];
                    await writer.WriteLineAsync("250 ok");
                    break;
                case "RCPT":
                    to.Add(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Trim('<', '>').Split('>')[0]);
                    await writer.WriteLineAsync("250 ok");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 go on");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } d && d != ".")
                    {
                        data.Append(d.StartsWith("..", StringComparison.Ordinal) ? d[1..] : d).Append('\n');
                    }

                    Mails.Enqueue(new Mail(from ?? "", [.. to], data.ToString()));
                    Encrypted |= secured;
                    to.Clear();
                    await writer.WriteLineAsync("250 queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 ok");
                    break;
            }
        }
    }

    private static async Task<string> Ask(StreamWriter writer, StreamReader reader, string prompt)
    {
        await writer.WriteLineAsync(prompt);
        return await reader.ReadLineAsync() ?? "";
    }

    internal sealed record Mail(string From, IReadOnlyList<string> To, string Data);
}
