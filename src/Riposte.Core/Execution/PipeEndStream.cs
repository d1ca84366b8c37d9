using System.Runtime.InteropServices;

namespace Riposte.Execution;

/// <summary>
/// The parent's end of a pipe to a child program, switched to non-blocking mode (only this end: the child's end is a
/// separate open file description and stays blocking). Async reads and writes wait for readiness on
/// <see cref="PollReactor"/>; sync ones wait with poll(2) on the calling thread. A write to a pipe whose reader is
/// gone fails with an <see cref="IOException"/> whose <see cref="Exception.HResult"/> is EPIPE (the runtime ignores
/// SIGPIPE, so the write returns the error instead of killing us).
/// </summary>
internal sealed class PipeEndStream : Stream
{
    private readonly FileDescriptorHandle _handle;
    private readonly bool _readable;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public PipeEndStream(int fd, bool readable)
    {
        _handle = new FileDescriptorHandle(fd);
        _readable = readable;
        var flags = LibC.Fcntl(fd, LibC.F_GETFL, 0);
        if (flags < 0 || LibC.Fcntl(fd, LibC.F_SETFL, flags | LibC.O_NONBLOCK) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _handle.Dispose();
            throw new IOException($"fcntl(O_NONBLOCK) failed: {LibC.StrError(errno)} ({errno})", errno);
        }
    }

    /// <inheritdoc/>
    public override bool CanRead => _readable && !IsDisposed;

    /// <inheritdoc/>
    public override bool CanWrite => !_readable && !IsDisposed;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    private bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <inheritdoc/>
    public override void Flush()
    {
        // Nothing is buffered on our side of the pipe.
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        EnsureReadable();
        while (true)
        {
            var read = TryRead(buffer);
            if (read >= 0)
            {
                return read;
            }

            WaitBlocking(LibC.POLLIN);
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureReadable();
        while (true)
        {
            var read = TryRead(buffer.Span);
            if (read >= 0)
            {
                return read;
            }

            await WaitAsync(LibC.POLLIN, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads what the pipe holds right now: the byte count, 0 at end of file, or -1 when it is empty.</summary>
    public int ReadAvailable(Span<byte> buffer)
    {
        EnsureReadable();
        return TryRead(buffer);
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureWritable();
        while (!buffer.IsEmpty)
        {
            var written = TryWrite(buffer);
            if (written >= 0)
            {
                buffer = buffer[written..];
                continue;
            }

            WaitBlocking(LibC.POLLOUT);
        }
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        while (!buffer.IsEmpty)
        {
            var written = TryWrite(buffer.Span);
            if (written >= 0)
            {
                buffer = buffer[written..];
                continue;
            }

            await WaitAsync(LibC.POLLOUT, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && disposing)
        {
            // A pending wait holds a handle reference, so the descriptor stays open (and its number is not reused)
            // until the wait is abandoned here; only then does the handle really close it.
            var added = false;
            try
            {
                _handle.DangerousAddRef(ref added);
                PollReactor.Shared.Abandon(_handle.Fd);
            }
            finally
            {
                if (added)
                {
                    _handle.DangerousRelease();
                }
            }

            _handle.Dispose();
        }

        base.Dispose(disposing);
    }

    private void EnsureReadable()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (!_readable)
        {
            throw new NotSupportedException("This pipe end is write-only.");
        }
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (_readable)
        {
            throw new NotSupportedException("This pipe end is read-only.");
        }
    }

    /// <summary>Bytes read, 0 at EOF, -1 when the read would block.</summary>
    private int TryRead(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            var read = LibC.Read(_handle, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (read >= 0)
            {
                return (int)read;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EAGAIN)
            {
                return -1;
            }

            if (errno != LibC.EINTR)
            {
                throw new IOException($"read from pipe failed: {LibC.StrError(errno)} ({errno})", errno);
            }
        }
    }

    /// <summary>Bytes written, or -1 when the write would block.</summary>
    private int TryWrite(ReadOnlySpan<byte> buffer)
    {
        while (true)
        {
            var written = LibC.Write(_handle, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (written >= 0)
            {
                return (int)written;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EAGAIN)
            {
                return -1;
            }

            if (errno != LibC.EINTR)
            {
                throw new IOException($"write to pipe failed: {LibC.StrError(errno)} ({errno})", errno);
            }
        }
    }

    private async ValueTask WaitAsync(short events, CancellationToken cancellationToken)
    {
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            var wait = PollReactor.Shared.WaitAsync(_handle.Fd, events, cancellationToken);
            // Dispose may have run between our readiness check and the registration; it would then have found
            // nothing to abandon, so abandon our own wait rather than sleep on a stream nobody will wake.
            if (IsDisposed)
            {
                PollReactor.Shared.Abandon(_handle.Fd);
            }

            var revents = await wait.ConfigureAwait(false);
            ObjectDisposedException.ThrowIf(revents == LibC.POLLNVAL && IsDisposed, this);
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    private void WaitBlocking(short events)
    {
        var fds = new LibC.PollFd[1];
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            fds[0] = new LibC.PollFd { Fd = _handle.Fd, Events = events };
            while (LibC.Poll(fds, 1, -1) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                {
                    throw new IOException($"poll failed: {LibC.StrError(errno)} ({errno})", errno);
                }
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }
}
