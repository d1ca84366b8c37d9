using System.Runtime.InteropServices;

namespace Riposte.Sdk;

/// <summary>
/// An exclusive <c>flock(2)</c> on a lock file, released by <see cref="Dispose"/> or when the process dies (so, unlike
/// Wazuh's <c>mkdir</c> locks, a killed program never leaves a stale lock that others must detect and break).
/// </summary>
public sealed class FileLock : IDisposable
{
    private int _fd;

    private FileLock(string path, int fd)
    {
        Path = path;
        _fd = fd;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>
    /// Takes the lock, creating the file (mode 0600) and its directory if needed, and waiting at most
    /// <paramref name="timeout"/> for another holder to release it.
    /// </summary>
    /// <exception cref="TimeoutException">Still held by someone else after <paramref name="timeout"/>.</exception>
    /// <exception cref="IOException">The lock file cannot be opened or locked.</exception>
    public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        timeProvider ??= TimeProvider.System;
        if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var fd = Native.Open(path, Native.O_RDWR | Native.O_CREAT, 0b110_000_000);
        if (fd < 0)
        {
            throw new IOException($"Cannot open lock file '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        var started = timeProvider.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(5);
        try
        {
            while (true)
            {
                if (Native.Flock(fd, Native.LOCK_EX | Native.LOCK_NB) == 0)
                {
                    return new FileLock(path, fd);
                }

                var error = Marshal.GetLastPInvokeError();
                if (error != Native.EAGAIN && error != Native.EINTR)
                {
                    throw new IOException($"Cannot lock '{path}': {Marshal.GetPInvokeErrorMessage(error)}");
                }

                if (timeProvider.GetElapsedTime(started) >= timeout)
                {
                    throw new TimeoutException($"'{path}' is still locked after {timeout.TotalSeconds:0.###} s");
                }

                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 100));
            }
        }
        catch
        {
            Native.Close(fd);
            throw;
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Native.Close(fd);
        }
    }
}
