using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Riposte.Config.Settings;
using Riposte.Engine;
using Riposte.Notifications.Delivery;

namespace Riposte.Bench;

/// <summary>
/// What notifications cost the responses: the same stateless executions through two engines in the same run, one
/// with no notifications, one with three channels delivering every event (a webhook whose receiver accepts and never
/// answers, a Slack receiver that answers 200, and syslog over UDP). Delivery runs apart from the engine, so the
/// ratio should stay near 1 (target ≥ 0.95).
/// </summary>
internal sealed class NotifyOverheadBenchmark : IBenchmark
{
    private const string ArName = "noop0";

    public string Name => "notify_overhead";

    public string Description => "responses per second with three notification channels (one receiver hanging) vs none, same run";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        var count = options.Quick ? 1000 : 4000;
        var rounds = options.Quick ? 3 : 5;
        double bestNotified = 0, bestPlain = 0;
        var plainHome = BenchHome.Create();
        var notifiedHome = BenchHome.Create();
        using var hanging = new TcpListener(IPAddress.Loopback, 0);
        hanging.Start(1024);
        var held = new List<TcpClient>();
        using var stopReceivers = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            // Accepts and reads nothing back: every request to it waits for its timeout.
            while (!stopReceivers.IsCancellationRequested)
            {
                try
                {
                    held.Add(await hanging.AcceptTcpClientAsync(stopReceivers.Token));
                }
                catch (Exception)
                {
                    return;
                }
            }
        });
        using var slack = new HttpListener();
        int slackPort = FreePort();
        slack.Prefixes.Add($"http://127.0.0.1:{slackPort}/");
        slack.Start();
        long slackMessages = 0;
        _ = Task.Run(async () =>
        {
            while (slack.IsListening)
            {
                try
                {
                    var context = await slack.GetContextAsync();
                    Interlocked.Increment(ref slackMessages);
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                catch (Exception)
                {
                    return;
                }
            }
        });
        using var syslog = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        syslog.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        NotificationService? service = null;
        using var stopDelivery = new CancellationTokenSource();
        Task delivery = Task.CompletedTask;
        try
        {
            plainHome.WriteProgram("noop", BenchHome.StatelessProgram);
            notifiedHome.WriteProgram("noop", BenchHome.StatelessProgram);
            var plain = plainHome.StartEngineAsync([(ArName, "noop", 0)]).GetAwaiter().GetResult();
            var notified = notifiedHome.StartEngineAsync([(ArName, "noop", 0)]).GetAwaiter().GetResult();
            var retry = new NotificationRetry { MaxAttempts = 3, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(5) };
            NotificationTarget[] targets =
            [
                new() { Name = "hanging", Url = new Uri($"http://127.0.0.1:{((IPEndPoint)hanging.LocalEndpoint).Port}/hook"), Retry = retry },
                new()
                {
                    // A chat channel is grouped, as one would configure it (Slack itself takes about one message a second).
                    Name = "slack", Type = NotificationType.Slack, Url = new Uri($"http://127.0.0.1:{slackPort}/hook"), Retry = retry,
                    Grouping = new NotificationGrouping { GroupWait = TimeSpan.FromSeconds(2), GroupInterval = TimeSpan.FromSeconds(5) },
                },
                new() { Name = "syslog", Type = NotificationType.Syslog, Syslog = new SyslogSettings { Address = $"udp://127.0.0.1:{((IPEndPoint)syslog.LocalEndPoint!).Port}" } },
            ];
            service = new NotificationService(targets, notifiedHome.Store!, TimeProvider.System, NullLogger.Instance,
                DeliveryOptions.Default with { StartFromBeginning = true });
            delivery = service.RunAsync(stopDelivery.Token);
            var body = BenchHome.AnalysisdBody(ArName, BenchHome.SourceIp(1), 1);
            var request = new ExecRequest(body, "execq");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {count:N0} responses (a one-line sh program), {BenchHome.Parallelism} in flight, {rounds} rounds; 3 channels: webhook hanging, slack grouped, syslog udp per event"));

            Task Run(ResponseEngine engine) => BenchHome.ExpectAsync(engine.ExecuteAsync(request, CancellationToken.None), ExecResult.NoKeys);

            PlainRuns.Loop(40, BenchHome.Parallelism, _ => Run(plain));
            PlainRuns.Loop(40, BenchHome.Parallelism, _ => Run(notified));
            for (var round = 0; round < rounds; round++)
            {
                bestPlain = Math.Max(bestPlain, count / PlainRuns.Loop(count, BenchHome.Parallelism, _ => Run(plain)));
                bestNotified = Math.Max(bestNotified, count / PlainRuns.Loop(count, BenchHome.Parallelism, _ => Run(notified)));
            }

            var stats = service.Stats;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   delivered meanwhile: slack {stats["slack"].Sent:N0} messages, syslog {stats["syslog"].Sent:N0}, hanging webhook {stats["hanging"].Sent:N0} ({stats["hanging"].FailedAttempts:N0} attempts timed out); slack receiver heard {Interlocked.Read(ref slackMessages):N0}"));
            if (stats["syslog"].Read == 0)
            {
                throw new InvalidOperationException("the notified engine's events never reached delivery; the row measures nothing");
            }
        }
        finally
        {
            stopDelivery.Cancel();
            delivery.GetAwaiter().GetResult();
            service?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            stopReceivers.Cancel();
            slack.Stop();
            foreach (var client in held.ToArray())
            {
                client.Dispose();
            }

            plainHome.DisposeAsync().AsTask().GetAwaiter().GetResult();
            notifiedHome.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   with notifications {bestNotified:N0} responses/s, without {bestPlain:N0} responses/s"));
        yield return new BenchResult(Name, "responses/s", Math.Round(bestNotified), Math.Round(bestPlain),
            $"the same responses with no notifications configured, {BenchHome.Parallelism} in flight", Math.Round(bestNotified / bestPlain, 3));
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
