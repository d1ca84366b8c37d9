using System.Buffers;
using System.Runtime.CompilerServices;

namespace Riposte.Protocol.Json;

/// <summary>
/// Write cursor over an <see cref="IBufferWriter{T}"/> that keeps the current span locally, so
/// per-token writes cost a bounds check instead of a GetSpan/Advance interface call pair.
/// </summary>
internal ref struct CJsonOutput
{
    private const int MinimumChunk = 256;

    private readonly IBufferWriter<byte> _writer;
    private Span<byte> _buffer;
    private int _position;

    public CJsonOutput(IBufferWriter<byte> writer, int sizeHint)
    {
        _writer = writer;
        _buffer = writer.GetSpan(Math.Max(sizeHint, MinimumChunk));
        _position = 0;
    }

    /// <summary>Returns a span of at least <paramref name="size"/> bytes at the write position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int size)
    {
        if (_buffer.Length - _position < size)
        {
            Grow(size);
        }

        return _buffer[_position..];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count) => _position += count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        if (_position >= _buffer.Length)
        {
            Grow(1);
        }

        _buffer[_position++] = value;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (true)
        {
            int available = _buffer.Length - _position;
            if (bytes.Length <= available)
            {
                bytes.CopyTo(_buffer[_position..]);
                _position += bytes.Length;
                return;
            }

            // Large payloads are copied in chunks so a huge raw fragment does not force the
            // underlying writer to allocate one contiguous block for it.
            bytes[..available].CopyTo(_buffer[_position..]);
            _position += available;
            bytes = bytes[available..];
            Grow(Math.Min(bytes.Length, 16 * 1024));
        }
    }

    /// <summary>Commits everything written so far to the underlying writer.</summary>
    public void Flush()
    {
        if (_position > 0)
        {
            _writer.Advance(_position);
        }

        _position = 0;
        _buffer = default;
    }

    private void Grow(int size)
    {
        if (_position > 0)
        {
            _writer.Advance(_position);
        }

        _position = 0;
        _buffer = _writer.GetSpan(Math.Max(size, MinimumChunk));
    }
}
