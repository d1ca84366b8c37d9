using System.Runtime.InteropServices;

namespace Riposte.Execution;

/// <summary>
/// Owns a raw file descriptor. Unlike <see cref="Microsoft.Win32.SafeHandles.SafeFileHandle"/> (zero-or-minus-one
/// invalid), descriptor 0 is valid here: a daemon started with its standard streams closed gets pipe ends as low as 0.
/// </summary>
internal sealed class FileDescriptorHandle : SafeHandle
{
    public FileDescriptorHandle(int fd)
        : base(-1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle < 0;

    /// <summary>The descriptor number; only meaningful while a reference is held (see <see cref="SafeHandle.DangerousAddRef"/>).</summary>
    public int Fd => (int)handle;

    // close() is not retried on EINTR: on Linux the descriptor is released even then.
    protected override bool ReleaseHandle() => LibC.Close((int)handle) == 0;
}
