using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Riposte.Config.Settings;
using Riposte.Notifications.Delivery;
using Riposte.Notifications.Infrastructure;

namespace Riposte.Notifications.Channels;

public sealed class SyslogChannelTests
{
    [Fact]
    public async Task Every_event_kind_reaches_a_unix_datagram_socket_as_rfc5424()
    {
        string dir = Directory.CreateTempSubdirectory("riposte-log-").FullName;
        string path = Path.Combine(dir, "log");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        var lines = Receive(socket);
        await DeliverEveryKindAsync(new SyslogSettings { Address = path, Facility = 16 }, lines);

        string add = lines.First();
        add.ShouldStartWith("<134>1 ");
        add.ShouldContain(" riposte ");
        add.ShouldContain(" add [riposte@32473 id=\"1\" ");
        add.ShouldContain("event=\"add\" severity=\"info\"");
        add.ShouldContain("response=\"firewall-drop600\"");
        add.ShouldContain("keys=\"203.0.113.7\"");
        add.ShouldContain("rule_id=\"5712\"");
        add.ShouldEndWith("] blocked 203.0.113.7 by firewall-drop600 (rule 5712)");
        lines.ShouldContain(l => l.StartsWith("<131>1 ", StringComparison.Ordinal) && l.Contains(" failure [", StringComparison.Ordinal), "an error is severity 3");
        lines.ShouldContain(l => l.StartsWith("<132>1 ", StringComparison.Ordinal) && l.Contains(" refused [", StringComparison.Ordinal), "a warning is severity 4");
    }

    [Fact]
    public async Task Every_event_kind_reaches_a_udp_receiver()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var lines = Receive(socket);
        await DeliverEveryKindAsync(new SyslogSettings { Address = $"udp://127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}" }, lines);
        lines.First().ShouldStartWith("<14>1 ");
    }

    [Fact]
    public async Task Tcp_frames_each_message_with_its_octet_count()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var channel = new SyslogChannel(new SyslogSettings { Address = $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}" }, TimeProvider.System);
        await using (channel)
        {
            var message = Grouping.DigestText.Build("s", [new Events.ResponseEvent(7, DateTimeOffset.UnixEpoch, "add", "info", null, "r", null, ["a\"]"],
                "p", null, null, null, 0, 0, null, null)], 0, DateTimeOffset.UnixEpoch);
            var accept = listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
            await channel.SendAsync(message, TestContext.Current.CancellationToken);
            await channel.SendAsync(message, TestContext.Current.CancellationToken);
            using var client = await accept;
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var received = new StringBuilder();
            while (CountFrames(received.ToString()) < 2)
            {
                int n = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
                n.ShouldBeGreaterThan(0);
                received.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }

            string text = received.ToString();
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            int length = int.Parse(text[..space], System.Globalization.CultureInfo.InvariantCulture);
            string first = text.Substring(space + 1, length);
            first.ShouldStartWith("<14>1 ");
            first.ShouldContain("keys=\"a\\\"\\]\"");
            text[(space + 1 + length)..].ShouldStartWith(length + " <14>1 ");
        }
    }

    private static int CountFrames(string text)
    {
        int frames = 0;
        int at = 0;
        while (at < text.Length)
        {
            int space = text.IndexOf(' ', at);
            if (space < 0 || !int.TryParse(text[at..space], out int length) || space + 1 + length > text.Length)
            {
                break;
            }

            frames++;
            at = space + 1 + length;
        }

        return frames;
    }

    private static ConcurrentQueue<string> Receive(Socket socket)
    {
        var lines = new ConcurrentQueue<string>();
        _ = Task.Run(async () =>
        {
            var buffer = new byte[65536];
            while (true)
            {
                int n;
                try
                {
                    n = await socket.ReceiveAsync(buffer, SocketFlags.None);
                }
                catch (Exception)
                {
                    return;
                }

                lines.Enqueue(Encoding.UTF8.GetString(buffer, 0, n));
            }
        });
        return lines;
    }

    private static async Task DeliverEveryKindAsync(SyslogSettings settings, ConcurrentQueue<string> lines)
    {
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        var (service, run, stop) = audit.Deliver(new NotificationTarget { Name = "log", Type = NotificationType.Syslog, Syslog = settings });
        await using (service)
        {
            foreach (var (auditEvent, detail, _) in HttpDeliveryTests.Kinds)
            {
                await audit.AddAsync(auditEvent, detail: detail);
            }

            await Poll.UntilAsync(() => lines.Count >= HttpDeliveryTests.Kinds.Length, "every kind");
            await stop.CancelAsync();
            await run;
        }

        var kinds = lines.Select(l => l.Split(' ')[5]).ToList();
        kinds.ShouldBe(HttpDeliveryTests.Kinds.Select(k => k.Kind));
    }
}
