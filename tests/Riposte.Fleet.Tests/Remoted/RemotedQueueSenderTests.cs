using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Riposte.Fleet.Remoted;

public sealed class RemotedQueueSenderTests
{
    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }

    [Fact]
    public void No_socket_is_an_unreachable_result_logged_once_and_a_socket_that_appears_later_works()
    {
        using var remoted = new FakeRemoted(bind: false);
        var logger = new ListLogger();
        using var sender = new RemotedQueueSender(remoted.Path, logger);

        var first = sender.Send("(local_source) [] NNS 001 {}"u8);
        var second = sender.Send("(local_source) [] NNS 001 {}"u8);

        first.Status.ShouldBe(RemotedSendStatus.Unreachable);
        first.Error!.ShouldContain($"Queue '{remoted.Path}' not accessible");
        second.Status.ShouldBe(RemotedSendStatus.Unreachable);
        logger.Lines.ShouldHaveSingleItem().ShouldStartWith($"Error: (1210): Queue '{remoted.Path}' not accessible: '");

        remoted.Bind();
        sender.Send("(local_source) [] NNS 002 {}"u8).ShouldBe(RemotedSendResult.Sent);
        remoted.Receive().ShouldBe("(local_source) [] NNS 002 {}"u8.ToArray());
    }

    [Fact]
    public void A_failed_send_is_reported_and_the_next_send_reconnects()
    {
        using var remoted = new FakeRemoted();
        var logger = new ListLogger();
        using var sender = new RemotedQueueSender(remoted.Path, logger);
        sender.Send("one"u8).IsSent.ShouldBeTrue();
        remoted.Receive().ShouldBe("one"u8.ToArray());

        // remoted restarts: the old socket is gone, a new one is bound at the same path.
        remoted.Unbind();
        remoted.Bind();
        var failed = sender.Send("lost"u8);
        var next = sender.Send("two"u8);

        failed.Status.ShouldBe(RemotedSendStatus.Failed);
        logger.Lines.ShouldContain($"Error: (1321): Error communicating with queue '{remoted.Path}'.");
        next.ShouldBe(RemotedSendResult.Sent);
        remoted.Receive().ShouldBe("two"u8.ToArray());
        remoted.HasPending.ShouldBeFalse();
    }

    [Fact]
    public void A_remoted_that_does_not_read_makes_a_send_fail_after_about_one_second()
    {
        using var remoted = new FakeRemoted();
        var logger = new ListLogger();
        using var sender = new RemotedQueueSender(remoted.Path, logger);
        var datagram = new byte[RemotedFraming.MaxMessageBytes];

        RemotedSendResult result;
        TimeSpan lastSend;
        var sent = 0;
        while (true)
        {
            var clock = Stopwatch.StartNew();
            result = sender.Send(datagram);
            lastSend = clock.Elapsed;
            if (!result.IsSent)
            {
                break;
            }

            sent++;
            sent.ShouldBeLessThan(10_000, "the receive queue never filled");
        }

        sent.ShouldBeGreaterThan(0);
        result.Status.ShouldBe(RemotedSendStatus.Failed);
        lastSend.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900));
        lastSend.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        logger.Lines.ShouldBe(["Error: (1322): Socket busy.", $"Error: (1321): Error communicating with queue '{remoted.Path}'."]);

        // Once remoted drains its queue, the next send reconnects and goes through.
        while (remoted.HasPending)
        {
            remoted.Receive();
        }

        sender.Send("after"u8).IsSent.ShouldBeTrue();
        remoted.Receive().ShouldBe("after"u8.ToArray());
    }

    [Fact]
    public void A_relative_path_is_made_absolute() =>
        new RemotedQueueSender("queue/alerts/ar").SocketPath.ShouldBe(Path.GetFullPath("queue/alerts/ar"));

    [Fact]
    public void Sending_after_dispose_throws()
    {
        var sender = new RemotedQueueSender("/nonexistent/ar");
        sender.Dispose();

        Should.Throw<ObjectDisposedException>(() => sender.Send("x"u8));
    }
}
