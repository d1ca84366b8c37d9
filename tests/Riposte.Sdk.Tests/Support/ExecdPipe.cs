using System.Text;
using System.Threading.Channels;

namespace Riposte.Support;

/// <summary>
/// execd's side of a program's standard streams, in memory: <see cref="Stdin"/> delivers the first line at once and
/// a later line only when the program has written (and flushed) a line of its own, as the real handshake does.
/// </summary>
internal sealed class ExecdPipe
{
    private readonly Channel<byte[]> _input = Channel.CreateUnbounded<byte[]>();
    private readonly Func<string, string?>? _answer;

    /// <param name="first">The bytes of line 1 (newline included or not).</param>
    /// <param name="answer">Called with the line the program writes (without its newline); returns what execd writes
    /// back (then stdin ends), or null to just end stdin. Without it stdin ends after <paramref name="first"/>.</param>
    public ExecdPipe(string first, Func<string, string?>? answer = null)
    {
        _answer = answer;
        _input.Writer.TryWrite(Encoding.UTF8.GetBytes(first));
        if (answer is null)
        {
            _input.Writer.TryComplete();
        }

        Stdin = new InputStream(_input.Reader);
        Stdout = new OutputStream(this);
    }

    public Stream Stdin { get; }

    public Stream Stdout { get; }

    /// <summary>Everything the program wrote on stdout.</summary>
    public string Output => ((OutputStream)Stdout).Text;

    private void OnLine(string line)
    {
        // execd writes its answer and closes the program's stdin: nothing follows the second line.
        var reply = _answer?.Invoke(line);
        if (reply is not null)
        {
            _input.Writer.TryWrite(Encoding.UTF8.GetBytes(reply));
        }

        _input.Writer.TryComplete();
    }

    private sealed class InputStream(ChannelReader<byte[]> reader) : Stream
    {
        private byte[] _current = [];
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_offset == _current.Length)
            {
                if (!await reader.WaitToReadAsync(cancellationToken))
                {
                    return 0;
                }

                reader.TryRead(out var next);
                _current = next ?? [];
                _offset = 0;
            }

            var count = Math.Min(buffer.Length, _current.Length - _offset);
            _current.AsMemory(_offset, count).CopyTo(buffer);
            _offset += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class OutputStream(ExecdPipe owner) : Stream
    {
        private readonly MemoryStream _all = new();
        private readonly List<byte> _pending = [];
        private readonly List<string> _unflushedLines = [];

        public string Text => Encoding.UTF8.GetString(_all.ToArray());

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _all.Write(buffer, offset, count);
            foreach (var b in buffer.AsSpan(offset, count))
            {
                if (b == (byte)'\n')
                {
                    _unflushedLines.Add(Encoding.UTF8.GetString([.. _pending]));
                    _pending.Clear();
                }
                else
                {
                    _pending.Add(b);
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.ToArray(), 0, buffer.Length);
            return ValueTask.CompletedTask;
        }

        // execd reads the program's line only once it is flushed out of the program's buffers.
        public override void Flush()
        {
            var lines = _unflushedLines.ToArray();
            _unflushedLines.Clear();
            foreach (var line in lines)
            {
                owner.OnLine(line);
            }
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flush();
            return Task.CompletedTask;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
