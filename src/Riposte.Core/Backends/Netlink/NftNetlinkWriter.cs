using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Riposte.Backends.Netlink;

/// <summary>
/// Writes nft transactions straight to the kernel over a netfilter netlink socket, as one nfnetlink batch per
/// transaction (BATCH_BEGIN, DELSETELEM/NEWSETELEM messages, BATCH_END): what <c>nft -f</c> sends, without the
/// process and without nft's userspace work. That work matters: nft 1.0.6 (Debian 12) re-sorts and walks its copy of
/// the whole interval set for every element it deletes, so deleting k elements from a set of n costs k·n (1 000
/// deletes from 10 000 elements take about 2.8 s), while the kernel's own delete is a tree lookup.
/// <para>
/// Elements are encoded as nft 1.0.6 encodes them for an interval set: a start element (key = first address, with
/// the timeout), then an end element flagged <c>NFT_SET_ELEM_INTERVAL_END</c> whose key is the address after the last
/// one; an interval reaching the family's last address has no end element and carries nft's "open interval" user
/// data instead. The kernel checks each message (a delete of anything not there exactly, an add overlapping another
/// element) and aborts the whole batch on the first refusal.
/// </para>
/// </summary>
internal sealed class NftNetlinkWriter : INftWriter
{
    private const ushort NLMSG_ERROR = 2;
    private const ushort NLM_F_REQUEST = 0x1;
    private const ushort NLM_F_ACK = 0x4;
    private const ushort NLM_F_CREATE = 0x400;
    private const ushort NLM_F_CAPPED = 0x100;
    private const ushort NLM_F_ACK_TLVS = 0x200;
    private const ushort NLMSGERR_ATTR_MSG = 1;

    private const ushort NFNL_MSG_BATCH_BEGIN = 16;
    private const ushort NFNL_MSG_BATCH_END = 17;
    private const ushort NFNL_SUBSYS_NFTABLES = 10;
    private const ushort NFT_MSG_NEWSETELEM = 12;
    private const ushort NFT_MSG_GETSETELEM = 13;
    private const ushort NFT_MSG_DELSETELEM = 14;
    private const byte NFPROTO_INET = 1;

    private const ushort NFTA_SET_ELEM_LIST_TABLE = 1;
    private const ushort NFTA_SET_ELEM_LIST_SET = 2;
    private const ushort NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    private const ushort NFTA_LIST_ELEM = 1;
    private const ushort NFTA_SET_ELEM_KEY = 1;
    private const ushort NFTA_SET_ELEM_FLAGS = 3;
    private const ushort NFTA_SET_ELEM_TIMEOUT = 4;
    private const ushort NFTA_SET_ELEM_USERDATA = 6;
    private const ushort NFTA_DATA_VALUE = 1;
    private const uint NFT_SET_ELEM_INTERVAL_END = 1;

    // libnftnl's NFTNL_UDATA_SET_ELEM_FLAGS TLV holding NFTNL_SET_ELEM_F_INTERVAL_OPEN (host-order u32 1).
    private static readonly byte[] OpenIntervalUserData = [1, 4, 1, 0, 0, 0];

    // An element list is one attribute, whose length is 16 bits: start a new message well before that.
    private const int ElementListBudget = 60_000;

    // Lookups sent per datagram: their answers (about 100 bytes each) must fit the receive buffer.
    private const int LookupsPerDatagram = 512;
    private const int ReceiveBufferBytes = 4 << 20;

    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(10);

    private readonly int _fd;
    private readonly byte[] _receiveBuffer = new byte[65536];
    private uint _sequence;
    private int _sendBuffer;
    private bool _disposed;

    private NftNetlinkWriter(int fd)
    {
        _fd = fd;
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>Opens a netfilter netlink socket, inside <paramref name="networkNamespace"/> when given.</summary>
    /// <exception cref="BlockBackendException">The socket could not be opened (not root, no such namespace...).</exception>
    public static NftNetlinkWriter Open(string? networkNamespace)
    {
        var fd = networkNamespace is null ? OpenSocket() : OpenSocketInNamespace(networkNamespace);
        try
        {
            var one = 1;
            // Acks then carry only the failing message's header, not a copy of a batch that may be megabytes long.
            _ = NetlinkNative.SetSockOpt(fd, NetlinkNative.SOL_NETLINK, NetlinkNative.NETLINK_CAP_ACK, ref one, sizeof(int));
            _ = NetlinkNative.SetSockOpt(fd, NetlinkNative.SOL_NETLINK, NetlinkNative.NETLINK_EXT_ACK, ref one, sizeof(int));
            var receive = ReceiveBufferBytes;
            if (NetlinkNative.SetSockOpt(fd, NetlinkNative.SOL_SOCKET, NetlinkNative.SO_RCVBUFFORCE, ref receive, sizeof(int)) != 0)
            {
                _ = NetlinkNative.SetSockOpt(fd, NetlinkNative.SOL_SOCKET, NetlinkNative.SO_RCVBUF, ref receive, sizeof(int));
            }

            var timeout = new NetlinkNative.TimeVal { Seconds = (long)ReceiveTimeout.TotalSeconds };
            Check(NetlinkNative.SetSockOpt(fd, NetlinkNative.SOL_SOCKET, NetlinkNative.SO_RCVTIMEO, ref timeout, Marshal.SizeOf<NetlinkNative.TimeVal>()), "setsockopt(SO_RCVTIMEO)");
            var address = new NetlinkNative.SockAddrNetlink { Family = NetlinkNative.AF_NETLINK };
            Check(NetlinkNative.Bind(fd, ref address, Marshal.SizeOf<NetlinkNative.SockAddrNetlink>()), "bind");
            return new NftNetlinkWriter(fd);
        }
        catch
        {
            _ = NetlinkNative.Close(fd);
            throw;
        }
    }

    public Task<string?> WriteAsync(NftBatch batch, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Write(batch));
    }

    /// <summary>
    /// Which of <paramref name="addresses"/> (single addresses) are elements of their set, asked one GETSETELEM each
    /// (a tree lookup in the kernel, no transaction). The kernel answers a lookup with the element itself or with the
    /// interval containing the address, so only an answer whose key is the address and which is not an interval end
    /// counts. Null when the sets cannot be asked (they are gone, or the kernel answered something unexpected).
    /// </summary>
    public HashSet<BlockTarget>? FindPresent(IReadOnlyList<BlockTarget> addresses)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var present = new HashSet<BlockTarget>();
        foreach (var chunk in addresses.Chunk(LookupsPerDatagram))
        {
            var builder = new NetlinkMessageBuilder();
            var first = _sequence;
            foreach (var address in chunk)
            {
                var message = builder.BeginMessage((ushort)((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSETELEM), NLM_F_REQUEST, _sequence++, NFPROTO_INET, 0);
                builder.PutString(NFTA_SET_ELEM_LIST_TABLE, NftLayout.Table);
                builder.PutString(NFTA_SET_ELEM_LIST_SET, NftLayout.SetFor(address));
                var list = builder.BeginNested(NFTA_SET_ELEM_LIST_ELEMENTS);
                var element = builder.BeginNested(NFTA_LIST_ELEM);
                PutKey(builder, address.IsIPv6, address.First);
                builder.EndNested(element);
                builder.EndNested(list);
                builder.EndMessage(message);
            }

            EnsureSendBuffer(builder.Length);
            var kernel = new NetlinkNative.SockAddrNetlink { Family = NetlinkNative.AF_NETLINK };
            if (NetlinkNative.SendTo(_fd, builder.Buffer, builder.Length, 0, ref kernel, Marshal.SizeOf<NetlinkNative.SockAddrNetlink>()) < 0)
            {
                return null;
            }

            // Without NLM_F_ACK every lookup gets exactly one answer: the element, or an error.
            var answered = 0;
            while (answered < chunk.Length)
            {
                var received = NetlinkNative.Recv(_fd, _receiveBuffer, _receiveBuffer.Length, 0);
                if (received < 0)
                {
                    if (Marshal.GetLastPInvokeError() == NetlinkNative.EINTR)
                    {
                        continue;
                    }

                    return null;
                }

                foreach (var (sequence, error, key, end) in ParseLookups(_receiveBuffer.AsSpan(0, (int)received)))
                {
                    if (sequence < first || sequence >= first + (uint)chunk.Length)
                    {
                        continue;
                    }

                    answered++;
                    var asked = chunk[sequence - first];
                    if (error == 0 && !end && key is not null && key.AsSpan().SequenceEqual(BlockTarget.ToBytes(asked.IsIPv6, asked.First)))
                    {
                        present.Add(asked);
                    }
                    else if (error != 0 && error != -2)
                    {
                        return null; // not "no such element": the set itself is gone, or worse
                    }
                }
            }
        }

        return present;
    }

    /// <summary>The answers to element lookups in one datagram: sequence, error (0 for an element), the element's key and interval-end flag.</summary>
    internal static List<(uint Sequence, int Error, byte[]? Key, bool End)> ParseLookups(ReadOnlySpan<byte> datagram)
    {
        var answers = new List<(uint, int, byte[]?, bool)>();
        var offset = 0;
        while (offset + NetlinkMessageBuilder.MessageHeaderLength <= datagram.Length)
        {
            var length = (int)MemoryMarshal.Read<uint>(datagram[offset..]);
            if (length < NetlinkMessageBuilder.MessageHeaderLength || offset + length > datagram.Length)
            {
                break;
            }

            var message = datagram.Slice(offset, length);
            var type = MemoryMarshal.Read<ushort>(message[4..]);
            var sequence = MemoryMarshal.Read<uint>(message[8..]);
            if (type == NLMSG_ERROR && length >= NetlinkMessageBuilder.MessageHeaderLength + 4 + NetlinkMessageBuilder.MessageHeaderLength)
            {
                answers.Add((MemoryMarshal.Read<uint>(message[28..]), MemoryMarshal.Read<int>(message[16..]), null, false));
            }
            else if (type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWSETELEM) && length > NetlinkMessageBuilder.MessageHeaderLength + 4)
            {
                byte[]? key = null;
                var end = false;
                var elements = Attribute(message[(NetlinkMessageBuilder.MessageHeaderLength + 4)..], NFTA_SET_ELEM_LIST_ELEMENTS);
                var element = Attribute(elements, NFTA_LIST_ELEM);
                var value = Attribute(Attribute(element, NFTA_SET_ELEM_KEY), NFTA_DATA_VALUE);
                if (!value.IsEmpty)
                {
                    key = value.ToArray();
                }

                var flags = Attribute(element, NFTA_SET_ELEM_FLAGS);
                if (flags.Length >= 4)
                {
                    end = (BinaryPrimitives.ReadUInt32BigEndian(flags) & NFT_SET_ELEM_INTERVAL_END) != 0;
                }

                answers.Add((sequence, 0, key, end));
            }

            offset += NetlinkMessageBuilder.Align(length);
        }

        return answers;
    }

    /// <summary>The payload of the first attribute of <paramref name="type"/> among <paramref name="attributes"/> (empty if none).</summary>
    private static ReadOnlySpan<byte> Attribute(ReadOnlySpan<byte> attributes, ushort type)
    {
        while (attributes.Length >= NetlinkMessageBuilder.AttributeHeaderLength)
        {
            var length = MemoryMarshal.Read<ushort>(attributes);
            if (length < NetlinkMessageBuilder.AttributeHeaderLength || length > attributes.Length)
            {
                break;
            }

            if ((MemoryMarshal.Read<ushort>(attributes[2..]) & 0x3FFF) == type)
            {
                return attributes[NetlinkMessageBuilder.AttributeHeaderLength..length];
            }

            attributes = attributes[Math.Min(NetlinkMessageBuilder.Align(length), attributes.Length)..];
        }

        return [];
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _ = NetlinkNative.Close(_fd);
        }
    }

    /// <summary>
    /// The batch datagram for <paramref name="batch"/>, messages numbered from <paramref name="firstSequence"/>;
    /// <paramref name="acknowledged"/> gets the sequence numbers of the messages the kernel will acknowledge.
    /// </summary>
    internal static NetlinkMessageBuilder Build(NftBatch batch, uint firstSequence, List<uint> acknowledged)
    {
        var sequence = firstSequence;
        var builder = new NetlinkMessageBuilder();
        var begin = builder.BeginMessage(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, sequence++, 0, NFNL_SUBSYS_NFTABLES);
        builder.EndMessage(begin);
        AppendElements(builder, NFT_MSG_DELSETELEM, NLM_F_REQUEST | NLM_F_ACK, batch.Removes, ref sequence, acknowledged);
        AppendElements(builder, NFT_MSG_NEWSETELEM, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, batch.Refreshes, ref sequence, acknowledged);
        AppendElements(builder, NFT_MSG_DELSETELEM, NLM_F_REQUEST | NLM_F_ACK, batch.Refreshes, ref sequence, acknowledged);
        AppendElements(builder, NFT_MSG_NEWSETELEM, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, batch.Adds, ref sequence, acknowledged);
        var end = builder.BeginMessage(NFNL_MSG_BATCH_END, NLM_F_REQUEST, sequence, 0, NFNL_SUBSYS_NFTABLES);
        builder.EndMessage(end);
        return builder;
    }

    private string? Write(NftBatch batch)
    {
        var acknowledged = new List<uint>();
        var first = _sequence;
        var builder = Build(batch, first, acknowledged);
        _sequence = first + (uint)acknowledged.Count + 2;
        EnsureSendBuffer(builder.Length);

        var kernel = new NetlinkNative.SockAddrNetlink { Family = NetlinkNative.AF_NETLINK };
        var sent = NetlinkNative.SendTo(_fd, builder.Buffer, builder.Length, 0, ref kernel, Marshal.SizeOf<NetlinkNative.SockAddrNetlink>());
        if (sent < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return $"sending the batch failed: {NetlinkNative.StrError(errno)}";
        }

        // The kernel handles a netfilter batch inside sendto, so every answer is already queued when it returns;
        // the blocking receive with its time limit only guards against a kernel that behaves otherwise.
        var pending = new HashSet<uint>(acknowledged);
        var last = first + (uint)acknowledged.Count + 1;
        string? refusal = null;
        while (pending.Count > 0 || refusal is not null)
        {
            var received = NetlinkNative.Recv(_fd, _receiveBuffer, _receiveBuffer.Length, refusal is null ? 0 : NetlinkNative.MSG_DONTWAIT);
            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == NetlinkNative.EINTR)
                {
                    continue;
                }

                if (errno == NetlinkNative.EAGAIN && refusal is not null)
                {
                    break; // every answer to the refused batch has been read
                }

                return refusal ?? $"no answer from the kernel for {pending.Count} message(s): {NetlinkNative.StrError(errno)}";
            }

            foreach (var (sequence, error, message) in ParseAcks(_receiveBuffer.AsSpan(0, (int)received)))
            {
                if (sequence < first || sequence > last)
                {
                    continue; // a late answer to an earlier batch
                }

                pending.Remove(sequence);
                if (error != 0 && refusal is null)
                {
                    refusal = $"the kernel refused the batch: {NetlinkNative.StrError(-error)}{(message is null ? "" : $" ({message})")}";
                }
            }
        }

        return refusal;
    }

    private static void AppendElements(NetlinkMessageBuilder builder, ushort messageType, ushort flags, IReadOnlyList<NftWriteElement> elements,
        ref uint sequence, List<uint> acknowledged)
    {
        foreach (var group in elements.GroupBy(e => NftLayout.SetFor(e.Target)))
        {
            var message = -1;
            var list = -1;
            foreach (var element in group)
            {
                if (message >= 0 && builder.Length - list > ElementListBudget)
                {
                    builder.EndNested(list);
                    builder.EndMessage(message);
                    message = -1;
                }

                if (message < 0)
                {
                    acknowledged.Add(sequence);
                    message = builder.BeginMessage((ushort)((NFNL_SUBSYS_NFTABLES << 8) | messageType), flags, sequence++, NFPROTO_INET, 0);
                    builder.PutString(NFTA_SET_ELEM_LIST_TABLE, NftLayout.Table);
                    builder.PutString(NFTA_SET_ELEM_LIST_SET, group.Key);
                    list = builder.BeginNested(NFTA_SET_ELEM_LIST_ELEMENTS);
                }

                AppendInterval(builder, element, messageType == NFT_MSG_NEWSETELEM);
            }

            if (message >= 0)
            {
                builder.EndNested(list);
                builder.EndMessage(message);
            }
        }
    }

    private static void AppendInterval(NetlinkMessageBuilder builder, NftWriteElement element, bool add)
    {
        var target = element.Target;
        var open = target.Last == target.FamilyMax;
        var start = builder.BeginNested(NFTA_LIST_ELEM);
        if (element.Timeout is { } timeout)
        {
            builder.PutUInt64BigEndian(NFTA_SET_ELEM_TIMEOUT, (ulong)timeout.TotalMilliseconds);
        }

        PutKey(builder, target.IsIPv6, target.First);
        if (open && add)
        {
            builder.PutBytes(NFTA_SET_ELEM_USERDATA, OpenIntervalUserData);
        }

        builder.EndNested(start);
        if (!open)
        {
            var end = builder.BeginNested(NFTA_LIST_ELEM);
            builder.PutUInt32BigEndian(NFTA_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
            PutKey(builder, target.IsIPv6, target.Last + 1);
            builder.EndNested(end);
        }
    }

    private static void PutKey(NetlinkMessageBuilder builder, bool isIPv6, UInt128 value)
    {
        var key = builder.BeginNested(NFTA_SET_ELEM_KEY);
        builder.PutBytes(NFTA_DATA_VALUE, BlockTarget.ToBytes(isIPv6, value));
        builder.EndNested(key);
    }

    /// <summary>The NLMSG_ERROR messages (acks when the error is 0) in one received datagram.</summary>
    internal static List<(uint Sequence, int Error, string? Message)> ParseAcks(ReadOnlySpan<byte> datagram)
    {
        var acks = new List<(uint, int, string?)>();
        var offset = 0;
        while (offset + NetlinkMessageBuilder.MessageHeaderLength <= datagram.Length)
        {
            var length = (int)MemoryMarshal.Read<uint>(datagram[offset..]);
            if (length < NetlinkMessageBuilder.MessageHeaderLength || offset + length > datagram.Length)
            {
                break;
            }

            var type = MemoryMarshal.Read<ushort>(datagram[(offset + 4)..]);
            var flags = MemoryMarshal.Read<ushort>(datagram[(offset + 6)..]);
            var message = datagram.Slice(offset, length);
            if (type == NLMSG_ERROR && length >= NetlinkMessageBuilder.MessageHeaderLength + 4 + NetlinkMessageBuilder.MessageHeaderLength)
            {
                var error = MemoryMarshal.Read<int>(message[16..]);
                var original = message[20..];
                var originalLength = (int)MemoryMarshal.Read<uint>(original);
                var sequence = MemoryMarshal.Read<uint>(original[8..]);
                string? text = null;
                if ((flags & NLM_F_ACK_TLVS) != 0)
                {
                    var tlvStart = 20 + ((flags & NLM_F_CAPPED) != 0 ? NetlinkMessageBuilder.MessageHeaderLength : NetlinkMessageBuilder.Align(originalLength));
                    text = ExtendedAckMessage(message[Math.Min(tlvStart, message.Length)..]);
                }

                acks.Add((sequence, error, text));
            }

            offset += NetlinkMessageBuilder.Align(length);
        }

        return acks;
    }

    private static string? ExtendedAckMessage(ReadOnlySpan<byte> attributes)
    {
        while (attributes.Length >= NetlinkMessageBuilder.AttributeHeaderLength)
        {
            var length = MemoryMarshal.Read<ushort>(attributes);
            var type = (ushort)(MemoryMarshal.Read<ushort>(attributes[2..]) & 0x3FFF);
            if (length < NetlinkMessageBuilder.AttributeHeaderLength || length > attributes.Length)
            {
                break;
            }

            if (type == NLMSGERR_ATTR_MSG)
            {
                return Encoding.UTF8.GetString(attributes[NetlinkMessageBuilder.AttributeHeaderLength..length]).TrimEnd('\0');
            }

            attributes = attributes[Math.Min(NetlinkMessageBuilder.Align(length), attributes.Length)..];
        }

        return null;
    }

    private void EnsureSendBuffer(int length)
    {
        // A netlink datagram must fit the socket's send buffer, and a batch is sent as one datagram to stay one transaction.
        var wanted = length + 65536;
        if (wanted <= _sendBuffer)
        {
            return;
        }

        if (NetlinkNative.SetSockOpt(_fd, NetlinkNative.SOL_SOCKET, NetlinkNative.SO_SNDBUFFORCE, ref wanted, sizeof(int)) != 0)
        {
            _ = NetlinkNative.SetSockOpt(_fd, NetlinkNative.SOL_SOCKET, NetlinkNative.SO_SNDBUF, ref wanted, sizeof(int));
        }

        _sendBuffer = wanted;
    }

    private static int OpenSocket()
    {
        var fd = NetlinkNative.Socket(NetlinkNative.AF_NETLINK, NetlinkNative.SOCK_RAW | NetlinkNative.SOCK_CLOEXEC, NetlinkNative.NETLINK_NETFILTER);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new BlockBackendException($"cannot open a netfilter netlink socket: {NetlinkNative.StrError(errno)}");
        }

        return fd;
    }

    /// <summary>
    /// Opens the socket inside a network namespace. A socket belongs to the namespace it was created in, whatever
    /// thread uses it later, so a short-lived thread enters the namespace (setns affects only the calling thread),
    /// creates the socket and ends; no other thread of this process ever changes namespace.
    /// </summary>
    private static int OpenSocketInNamespace(string networkNamespace)
    {
        var path = networkNamespace.Contains('/', StringComparison.Ordinal) ? networkNamespace : $"/run/netns/{networkNamespace}";
        var fd = -1;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var ns = NetlinkNative.Open(NetlinkNative.PathBytes(path), NetlinkNative.O_RDONLY | NetlinkNative.O_CLOEXEC);
                if (ns < 0)
                {
                    throw new BlockBackendException($"cannot open network namespace {path}: {NetlinkNative.StrError(Marshal.GetLastPInvokeError())}");
                }

                try
                {
                    if (NetlinkNative.SetNs(ns, NetlinkNative.CLONE_NEWNET) != 0)
                    {
                        throw new BlockBackendException($"cannot enter network namespace {path}: {NetlinkNative.StrError(Marshal.GetLastPInvokeError())}");
                    }
                }
                finally
                {
                    _ = NetlinkNative.Close(ns);
                }

                fd = OpenSocket();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "riposte-netns",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw failure is BlockBackendException ? failure : new BlockBackendException(failure.Message, failure);
        }

        return fd;
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new BlockBackendException($"{what} on the netfilter netlink socket failed: {NetlinkNative.StrError(Marshal.GetLastPInvokeError())}");
        }
    }
}
