using System.Net.Sockets;
using System.Text;

namespace Riposte.Inputs;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExecQueueListenerTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string QueuePath => Path.Combine(_dir.Path, "queue", "alerts", "execq");

    public void Dispose() => _dir.Dispose();

    private static Task SendAsync(string path, string body) =>
        ExecQueueClient.SendAsync(path, Encoding.UTF8.GetBytes(body), TestContext.Current.CancellationToken).AsTask();

    private static Follower<ExecQueueMessage> Read(ExecQueueListener listener) => new(listener.ReadAsync);

    [Fact]
    public async Task Datagrams_arrive_in_order_as_whole_bodies()
    {
        using var listener = new ExecQueueListener(QueuePath);
        listener.Start();
        await using var messages = Read(listener);

        await SendAsync(QueuePath, "{\"command\":\"a\"}");
        await SendAsync(QueuePath, "{\"command\":\"b\"}");
        await SendAsync(QueuePath, "{\"command\":\"c\"}");
        var received = await messages.TakeAsync(3);

        received.Select(m => Encoding.UTF8.GetString(m.Body.Span)).ShouldBe(["{\"command\":\"a\"}", "{\"command\":\"b\"}", "{\"command\":\"c\"}"]);
        received.Select(m => m.Sequence).ShouldBe([1L, 2L, 3L]);
        received.ShouldAllBe(m => !m.Truncated);
    }

    [Fact]
    public async Task A_message_of_the_maximum_size_is_whole()
    {
        using var listener = new ExecQueueListener(QueuePath);
        listener.Start();
        await using var messages = Read(listener);
        var body = new byte[ExecQueueListener.MaxMessageBytes];
        Random.Shared.NextBytes(body);

        await ExecQueueClient.SendAsync(QueuePath, body, TestContext.Current.CancellationToken);
        var message = await messages.NextAsync();

        message.Truncated.ShouldBeFalse();
        message.Body.ToArray().ShouldBe(body);
    }

    [Fact]
    public async Task A_longer_message_is_flagged_truncated()
    {
        using var listener = new ExecQueueListener(QueuePath);
        listener.Start();
        await using var messages = Read(listener);
        var body = new byte[70_000];
        Random.Shared.NextBytes(body);

        await ExecQueueClient.SendAsync(QueuePath, body, TestContext.Current.CancellationToken);
        await SendAsync(QueuePath, "next");
        var message = await messages.NextAsync();
        var next = await messages.NextAsync();

        message.Truncated.ShouldBeTrue();
        message.Body.ToArray().ShouldBe(body[..ExecQueueListener.MaxMessageBytes]);
        Encoding.UTF8.GetString(next.Body.Span).ShouldBe("next");
        next.Truncated.ShouldBeFalse();
    }

    [Fact]
    public void Socket_is_mode_0660_in_a_directory_created_0750()
    {
        using var listener = new ExecQueueListener(QueuePath);
        listener.Start();

        File.GetUnixFileMode(QueuePath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        File.GetUnixFileMode(Path.GetDirectoryName(QueuePath)!)
            .ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        UnixFileStatus.TryStat(QueuePath, out var status).ShouldBeTrue();
        status.IsSocket.ShouldBeTrue();
    }

    [Fact]
    public async Task A_stale_socket_is_replaced()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(QueuePath)!);
        MakeStaleSocket(QueuePath);
        var warnings = new List<string>();

        using var listener = new ExecQueueListener(QueuePath, new ListLogger(warnings));
        listener.Start();
        await using var messages = Read(listener);
        await SendAsync(QueuePath, "hello");

        Encoding.UTF8.GetString((await messages.NextAsync()).Body.Span).ShouldBe("hello");
        warnings.ShouldContain(w => w.Contains("stale", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_listener_on_the_same_path_is_refused()
    {
        using var first = new ExecQueueListener(QueuePath);
        first.Start();
        await using var messages = Read(first);

        using var second = new ExecQueueListener(QueuePath);
        var refused = Should.Throw<ExecQueueInUseException>(second.Start);
        second.Dispose();

        refused.Message.ShouldContain(QueuePath);
        File.Exists(QueuePath).ShouldBeTrue();
        await SendAsync(QueuePath, "still mine");
        Encoding.UTF8.GetString((await messages.NextAsync()).Body.Span).ShouldBe("still mine");
    }

    [Fact]
    public void A_file_that_is_not_a_socket_is_never_replaced()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(QueuePath)!);
        File.WriteAllText(QueuePath, "precious");

        using var listener = new ExecQueueListener(QueuePath);

        Should.Throw<IOException>(listener.Start).Message.ShouldContain("not a socket");
        File.ReadAllText(QueuePath).ShouldBe("precious");
    }

    [Fact]
    public async Task Dispose_removes_the_socket_file_and_ends_reading()
    {
        var listener = new ExecQueueListener(QueuePath);
        listener.Start();
        await using var messages = Read(listener);
        messages.Resume();

        listener.Dispose();

        File.Exists(QueuePath).ShouldBeFalse();
        await messages.ShouldEndAsync();
    }

    [Fact]
    public async Task Sending_with_no_listener_fails_clearly()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(QueuePath)!);

        (await Should.ThrowAsync<IOException>(() => SendAsync(QueuePath, "x"))).Message.ShouldContain("Nothing is listening");

        MakeStaleSocket(QueuePath);
        (await Should.ThrowAsync<IOException>(() => SendAsync(QueuePath, "x"))).Message.ShouldContain("Nothing is listening");
    }

    /// <summary>A socket file nobody is bound to, as a killed process leaves behind (.NET removes its own on dispose).</summary>
    private static void MakeStaleSocket(string path)
    {
        var aside = path + ".aside";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            File.Move(path, aside);
        }

        File.Move(aside, path);
    }

    private sealed class ListLogger(List<string> messages) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (messages)
            {
                messages.Add(formatter(state, exception));
            }
        }
    }
}
