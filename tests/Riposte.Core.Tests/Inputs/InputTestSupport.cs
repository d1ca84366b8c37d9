using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Riposte.Inputs;

/// <summary>A temporary directory removed with everything in it.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("riposte-inputs-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory does not make a test wrong.
        }
    }
}

internal static class Lines
{
    public static string Alert(string id) => $"{{\"id\":\"{id}\",\"rule\":{{\"id\":\"5712\",\"level\":10}}}}\n";

    public static string Many(params string[] ids) => string.Concat(ids.Select(Alert));

    public static int Length(string id) => Encoding.UTF8.GetByteCount(Alert(id));

    /// <summary>Appends as an O_APPEND writer such as analysisd does.</summary>
    public static void Append(string path, string text)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        stream.Write(Encoding.UTF8.GetBytes(text));
    }
}

/// <summary>
/// A fake clock that tells when the tailer starts waiting, so a test can change the file while the tailer is
/// certainly idle and then let exactly one poll happen.
/// </summary>
internal sealed class PollGate : TimeProvider, IDisposable
{
    private readonly FakeTimeProvider _fake = new();
    private readonly SemaphoreSlim _waiting = new(0);

    public static TimeSpan Interval => TimeSpan.FromSeconds(1);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _fake.CreateTimer(callback, state, dueTime, period);
        _waiting.Release();
        return timer;
    }

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public async Task WaitUntilIdleAsync()
    {
        (await _waiting.WaitAsync(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken)).ShouldBeTrue("the tailer never started waiting");
    }

    public void Poll()
    {
        while (_waiting.Wait(0))
        {
        }

        _fake.Advance(Interval);
    }

    public void Dispose() => _waiting.Dispose();
}

/// <summary>Drives an async enumeration step by step with timeouts, and cancels it at the end.</summary>
internal sealed class Follower<T> : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private readonly IAsyncEnumerator<T> _enumerator;
    private Task<bool>? _pending;

    public Follower(Func<CancellationToken, IAsyncEnumerable<T>> start) => _enumerator = start(_cts.Token).GetAsyncEnumerator(_cts.Token);

    /// <summary>Lets the enumeration run towards its next item without waiting for it.</summary>
    public void Resume() => _pending ??= _enumerator.MoveNextAsync().AsTask();

    public async Task<T> NextAsync()
    {
        Resume();
        (await _pending!.WaitAsync(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken)).ShouldBeTrue("the enumeration ended");
        _pending = null;
        return _enumerator.Current;
    }

    public async Task<List<T>> TakeAsync(int count)
    {
        var items = new List<T>();
        for (var i = 0; i < count; i++)
        {
            items.Add(await NextAsync());
        }

        return items;
    }

    public async Task ShouldBeQuietAsync(int milliseconds = 150)
    {
        Resume();
        await Task.WhenAny(_pending!, Task.Delay(milliseconds, TestContext.Current.CancellationToken));
        _pending!.IsCompleted.ShouldBeFalse(_pending.IsCompletedSuccessfully && _pending.Result ? $"unexpected item {_enumerator.Current}" : "the enumeration ended");
    }

    public async Task ShouldEndAsync()
    {
        Resume();
        (await _pending!.WaitAsync(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken)).ShouldBeFalse();
        _pending = null;
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        if (_pending is not null)
        {
            try
            {
                await _pending;
            }
            catch (OperationCanceledException)
            {
            }
        }

        await _enumerator.DisposeAsync();
        _cts.Dispose();
    }
}
