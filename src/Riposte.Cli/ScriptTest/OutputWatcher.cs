using System.Buffers;

namespace Riposte.Cli.ScriptTest;

/// <summary>
/// Drains one output pipe of the program under test, keeping its bytes (up to a limit) and when the first newline
/// and the end of file arrived, and wakes the tester on every change. The tester needs more than
/// <c>ProgramRunner</c>'s capture here: whether the line really ended with a newline, what came after it, and
/// whether stdout is still open while nothing is printed (the signature of a program waiting for EOF on stdin).
/// </summary>
internal sealed class OutputWatcher
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly int _limit;
    private readonly ArrayBufferWriter<byte> _kept = new();
    private readonly List<TimeSpan> _newlineTimes = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _total;
    private bool _ended;
    private TimeSpan? _firstNewlineAt;

    /// <param name="time">The clock.</param>
    /// <param name="started">The spawn timestamp, from <paramref name="time"/>.</param>
    /// <param name="limit">Bytes to keep; the rest is read and discarded so the program never blocks on a full pipe.</param>
    public OutputWatcher(TimeProvider time, long started, int limit)
    {
        _time = time;
        _started = started;
        _limit = limit;
    }

    /// <summary>The bytes kept so far.</summary>
    public byte[] Bytes
    {
        get
        {
            lock (_gate)
            {
                return _kept.WrittenSpan.ToArray();
            }
        }
    }

    /// <summary>True once the program (and every process sharing the pipe) closed it.</summary>
    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>True once any byte arrived.</summary>
    public bool Any
    {
        get
        {
            lock (_gate)
            {
                return _total > 0;
            }
        }
    }

    /// <summary>When the first newline arrived, relative to the spawn; null while there is none.</summary>
    public TimeSpan? FirstNewlineAt
    {
        get
        {
            lock (_gate)
            {
                return _firstNewlineAt;
            }
        }
    }

    /// <summary>When each newline arrived (the n-th entry is the end of line n+1), relative to the spawn.</summary>
    public IReadOnlyList<TimeSpan> NewlineTimes
    {
        get
        {
            lock (_gate)
            {
                return [.. _newlineTimes];
            }
        }
    }

    /// <summary>True when more than the limit was written.</summary>
    public bool Truncated
    {
        get
        {
            lock (_gate)
            {
                return _total > _limit;
            }
        }
    }

    /// <summary>Completes at the next change (bytes or end of file); take it before checking a condition.</summary>
    public Task NextChange
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>
    /// Reads until end of file or until <paramref name="stop"/>; after a stop, what the pipe already holds is still
    /// taken, since a program that exited left all its output there.
    /// </summary>
    public async Task PumpAsync(Stream stream, CancellationToken stop)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, stop).ConfigureAwait(false);
                if (read == 0)
                {
                    End();
                    return;
                }

                Append(buffer.AsSpan(0, read));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: a grandchild may hold the pipe open forever.
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Append(ReadOnlySpan<byte> chunk)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            var keep = (int)Math.Clamp(_limit - _total, 0, chunk.Length);
            _kept.Write(chunk[..keep]);
            _total += chunk.Length;
            var newlines = chunk.Count((byte)'\n');
            if (newlines > 0)
            {
                var now = _time.GetElapsedTime(_started);
                _firstNewlineAt ??= now;
                for (var i = 0; i < newlines; i++)
                {
                    _newlineTimes.Add(now);
                }
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    }

    private void End()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _ended = true;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    }
}
