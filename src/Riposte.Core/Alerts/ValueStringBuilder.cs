using System.Buffers;

namespace Riposte.Alerts;

/// <summary>A string builder over pooled arrays, for hot paths that build one short string per call.</summary>
internal ref struct ValueStringBuilder
{
    private char[]? _rented;
    private Span<char> _chars;
    private int _length;

    public ValueStringBuilder(int capacity)
    {
        _rented = ArrayPool<char>.Shared.Rent(capacity);
        _chars = _rented;
        _length = 0;
    }

    public readonly int Length => _length;

    public void Append(char c)
    {
        if (_length == _chars.Length)
        {
            Grow(1);
        }

        _chars[_length++] = c;
    }

    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _chars.Length)
        {
            Grow(text.Length);
        }

        text.CopyTo(_chars[_length..]);
        _length += text.Length;
    }

    public override readonly string ToString() => new(_chars[.._length]);

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<char>.Shared.Return(_rented);
            _rented = null;
        }
    }

    private void Grow(int needed)
    {
        var next = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, _length + needed));
        _chars[.._length].CopyTo(next);
        if (_rented is not null)
        {
            ArrayPool<char>.Shared.Return(_rented);
        }

        _rented = next;
        _chars = next;
    }
}
