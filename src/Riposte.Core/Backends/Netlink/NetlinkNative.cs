using System.Runtime.InteropServices;

namespace Riposte.Backends.Netlink;

/// <summary>
/// The libc calls a netfilter netlink socket needs, with blittable signatures (no unsafe code, no generated
/// marshalling; paths are passed as NUL-terminated bytes). Constants are the Linux values shared by x86-64 and arm64.
/// </summary>
internal static class NetlinkNative
{
    private const string Lib = "libc.so.6";

    public const int AF_NETLINK = 16;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int NETLINK_NETFILTER = 12;

    public const int SOL_SOCKET = 1;
    public const int SO_SNDBUF = 7;
    public const int SO_RCVBUF = 8;
    public const int SO_RCVTIMEO = 20;
    public const int SO_SNDBUFFORCE = 32;
    public const int SO_RCVBUFFORCE = 33;

    public const int SOL_NETLINK = 270;
    public const int NETLINK_CAP_ACK = 10;
    public const int NETLINK_EXT_ACK = 11;

    public const int MSG_DONTWAIT = 0x40;

    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;
    public const int CLONE_NEWNET = 0x40000000;

    public const int EINTR = 4;
    public const int EAGAIN = 11;

    /// <summary>struct sockaddr_nl.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrNetlink
    {
        public ushort Family;
        public ushort Pad;
        public uint PortId;
        public uint Groups;
    }

    /// <summary>struct timeval on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    [DllImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static extern int Socket(int domain, int type, int protocol);

    [DllImport(Lib, EntryPoint = "bind", SetLastError = true)]
    public static extern int Bind(int fd, ref SockAddrNetlink address, int length);

    [DllImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static extern int SetSockOpt(int fd, int level, int name, ref int value, int length);

    [DllImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static extern int SetSockOpt(int fd, int level, int name, ref TimeVal value, int length);

    [DllImport(Lib, EntryPoint = "sendto", SetLastError = true)]
    public static extern nint SendTo(int fd, byte[] buffer, nint length, int flags, ref SockAddrNetlink address, int addressLength);

    [DllImport(Lib, EntryPoint = "recv", SetLastError = true)]
    public static extern nint Recv(int fd, byte[] buffer, nint length, int flags);

    [DllImport(Lib, EntryPoint = "open", SetLastError = true)]
    public static extern int Open(byte[] path, int flags);

    [DllImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static extern int SetNs(int fd, int namespaceType);

    [DllImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    /// <summary><paramref name="path"/> as the NUL-terminated bytes open() takes.</summary>
    public static byte[] PathBytes(string path) => System.Text.Encoding.UTF8.GetBytes(path + "\0");

    /// <summary>The text strerror gives for <paramref name="errno"/>.</summary>
    public static string StrError(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
