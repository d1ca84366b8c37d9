using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Riposte.Backends.Netlink;

/// <summary>
/// Appends netlink messages and their attributes to one buffer (the datagram a batch is sent in). Headers are in
/// host order, as netlink wants; attribute payloads are written in whatever order the attribute defines (nftables
/// keys, flags and timeouts are big-endian).
/// </summary>
internal sealed class NetlinkMessageBuilder
{
    public const int MessageHeaderLength = 16;
    public const int AttributeHeaderLength = 4;
    public const ushort NestedFlag = 0x8000;

    private byte[] _buffer = new byte[4096];

    public int Length { get; private set; }

    /// <summary>The bytes written so far (a copy).</summary>
    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    /// <summary>The buffer itself (valid up to <see cref="Length"/>), to send without a copy.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>Starts a message: nlmsghdr plus the nfgenmsg every netfilter message carries. Returns its offset.</summary>
    public int BeginMessage(ushort type, ushort flags, uint sequence, byte family, ushort resourceId)
    {
        var start = Length;
        var header = Reserve(MessageHeaderLength + 4);
        Native(header, 0u); // the length, patched by EndMessage
        Native(header[4..], type);
        Native(header[6..], flags);
        Native(header[8..], sequence);
        Native(header[12..], 0u);
        header[16] = family;
        header[17] = 0; // NFNETLINK_V0
        BinaryPrimitives.WriteUInt16BigEndian(header[18..], resourceId);
        return start;
    }

    /// <summary>Writes the length of the message started at <paramref name="start"/>.</summary>
    public void EndMessage(int start) => Native(_buffer.AsSpan(start), (uint)(Length - start));

    /// <summary>Starts a nested attribute; returns its offset for <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        var start = Length;
        var header = Reserve(AttributeHeaderLength);
        Native(header[2..], (ushort)(type | NestedFlag));
        return start;
    }

    /// <summary>Writes the length of the nested attribute started at <paramref name="start"/>.</summary>
    /// <exception cref="InvalidOperationException">It is longer than an attribute can be (64 KiB).</exception>
    public void EndNested(int start)
    {
        var length = Length - start;
        if (length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"nested netlink attribute of {length} bytes exceeds 65535");
        }

        Native(_buffer.AsSpan(start), (ushort)length);
    }

    public void PutBytes(ushort type, ReadOnlySpan<byte> value)
    {
        var length = AttributeHeaderLength + value.Length;
        var span = Reserve(Align(length));
        Native(span, (ushort)length);
        Native(span[2..], type);
        value.CopyTo(span[AttributeHeaderLength..]);
        span[length..].Clear();
    }

    public void PutString(ushort type, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value + "\0");
        PutBytes(type, bytes);
    }

    public void PutUInt32BigEndian(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        PutBytes(type, bytes);
    }

    public void PutUInt64BigEndian(ushort type, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        PutBytes(type, bytes);
    }

    public static int Align(int length) => (length + 3) & ~3;

    // Netlink headers are in host order.
    private static void Native<T>(Span<byte> destination, T value)
        where T : unmanaged => MemoryMarshal.Write(destination, in value);

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }

        var span = _buffer.AsSpan(Length, count);
        span.Clear();
        Length += count;
        return span;
    }
}
