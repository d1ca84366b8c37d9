using System.Buffers;
using System.Text;

namespace Riposte.Execution;

/// <summary>
/// Drains one output pipe of a program until EOF or until told to stop, keeping the first <c>limit</c> bytes and
/// discarding the rest (the program must never block on a full pipe). For stdout of add runs it also finds the
/// control line the way execd's <c>fgets(buf, 8192, ...)</c> does.
/// </summary>
internal sealed class OutputCapture
{
    private const int MaxFinalDrainBytes = 1024 * 1024;

    private readonly int _limit;
    private readonly int _controlLineMax;
    private readonly TaskCompletionSource<ControlLine?> _controlLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ArrayBufferWriter<byte> _captured = new();
    private readonly ArrayBufferWriter<byte>? _line;
    private long _total;

    /// <param name="limit">Bytes to keep.</param>
    /// <param name="controlLineMax">Bytes execd reads for the control line, or 0 not to look for one.</param>
    public OutputCapture(int limit, int controlLineMax = 0)
    {
        _limit = Math.Max(0, limit);
        _controlLineMax = controlLineMax;
        if (controlLineMax > 0)
        {
            _line = new ArrayBufferWriter<byte>();
        }
        else
        {
            _controlLine.SetResult(null);
        }
    }

    /// <summary>The control line once found; null when stdout ended (or the capture stopped) before any byte.</summary>
    public Task<ControlLine?> ControlLine => _controlLine.Task;

    /// <summary>True when more than the limit was written.</summary>
    public bool Truncated => _total > _limit;

    /// <summary>The kept bytes as text.</summary>
    public string Text => Encoding.UTF8.GetString(_captured.WrittenSpan);

    /// <summary>
    /// Reads until EOF, or until <paramref name="stop"/> fires; then whatever the pipe already holds is still read
    /// (all a program wrote before it exited is there), but no more is waited for: a grandchild that left the
    /// process group may keep the pipe open forever.
    /// </summary>
    public async Task PumpAsync(PipeEndStream stream, CancellationToken stop)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await stream.ReadAsync(buffer, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // Bounded: what an exited program left fits in a pipe (at most 1 MiB), but a grandchild still
                    // writing would keep this loop busy forever.
                    var drained = 0;
                    while (drained < MaxFinalDrainBytes && (read = stream.ReadAvailable(buffer)) > 0)
                    {
                        Append(buffer.AsSpan(0, read));
                        drained += read;
                    }

                    break;
                }

                if (read == 0)
                {
                    break;
                }

                Append(buffer.AsSpan(0, read));
            }
        }
        catch (IOException)
        {
            // A read error ends the capture; the run's outcome does not depend on it.
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            EndOfLine();
        }
    }

    private void Append(ReadOnlySpan<byte> chunk)
    {
        var keep = (int)Math.Clamp(_limit - _total, 0, chunk.Length);
        if (keep > 0)
        {
            _captured.Write(chunk[..keep]);
        }

        _total += chunk.Length;
        if (_line is not null && !_controlLine.Task.IsCompleted)
        {
            FindControlLine(chunk);
        }
    }

    private void FindControlLine(ReadOnlySpan<byte> chunk)
    {
        var room = _controlLineMax - _line!.WrittenCount;
        var window = chunk[..Math.Min(room, chunk.Length)];
        var newline = window.IndexOf((byte)'\n');
        if (newline >= 0)
        {
            _line.Write(window[..newline]);
            var line = _line.WrittenSpan;
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            _controlLine.TrySetResult(new ControlLine(line.ToArray(), Truncated: false));
            return;
        }

        _line.Write(window);
        if (_line.WrittenCount == _controlLineMax)
        {
            // fgets returns a full buffer without waiting for the rest of the line; so do we.
            _controlLine.TrySetResult(new ControlLine(_line.WrittenSpan.ToArray(), Truncated: true));
        }
    }

    private void EndOfLine()
    {
        // A partial line at EOF still counts (fgets returns it); only EOF before any byte means "no line".
        if (_line is not null && _line.WrittenCount > 0)
        {
            _controlLine.TrySetResult(new ControlLine(_line.WrittenSpan.ToArray(), Truncated: false));
        }

        _controlLine.TrySetResult(null);
    }
}

/// <summary>A program's control line (without its line ending) and whether it was cut at execd's limit.</summary>
internal sealed record ControlLine(byte[] Bytes, bool Truncated);
