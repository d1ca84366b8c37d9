using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Riposte.Inputs;

/// <summary>
/// Wazuh's exec queue (<c>queue/alerts/execq</c>): the Unix datagram socket wazuh-execd binds and analysisd (manager)
/// or agentd (agent) send one message body per datagram to. Binding it makes Riposte the receiver in execd's place.
/// </summary>
/// <remarks>
/// Start-up follows execd with two safety checks: the directory is created (0750) if missing; an existing socket
/// file is removed only when nothing answers on it (a crashed process left it behind), and binding is refused with
/// <see cref="ExecQueueInUseException"/> when a process is listening there; an existing file that is not a socket
/// is never removed. The socket is made mode 0660 so the group (wazuh) can send. Disposing closes the socket and
/// removes the file if it is still ours.
/// </remarks>
public sealed class ExecQueueListener : IDisposable
{
    /// <summary>Largest message execd receives (<c>OS_MAXSTR</c>); longer datagrams are flagged as truncated.</summary>
    public const int MaxMessageBytes = 65536;

    private const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private const UnixFileMode DirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Socket? _socket;
    private string? _boundIdentity;
    private long _sequence;
    private bool _disposed;

    /// <summary>A listener for <paramref name="socketPath"/>; nothing is bound until <see cref="Start"/> or <see cref="ReadAsync"/>.</summary>
    public ExecQueueListener(string socketPath, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketPath = Path.GetFullPath(socketPath);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The socket's path, made absolute.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// Binds the socket (once; later calls do nothing). Throws <see cref="ExecQueueInUseException"/> when another
    /// process listens on the path and <see cref="IOException"/> when the path is some other kind of file.
    /// </summary>
    public void Start()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The exec queue is a Unix datagram socket.");
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_socket is not null)
            {
                return;
            }

            var directory = Path.GetDirectoryName(SocketPath)!;
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory, DirectoryMode);
                File.SetUnixFileMode(directory, DirectoryMode); // mkdir applied the umask
            }

            RemoveStaleSocket();
            var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            try
            {
                socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                socket.Dispose();
                throw new ExecQueueInUseException($"Another process bound exec queue '{SocketPath}' while Riposte was starting.", e);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            File.SetUnixFileMode(SocketPath, SocketMode);
            _boundIdentity = UnixFileStatus.TryStat(SocketPath, out var status) ? status.Identity : null;
            _socket = socket;
        }
    }

    /// <summary>
    /// Every datagram received, in order, until cancelled (then <see cref="OperationCanceledException"/>) or disposed
    /// (then the enumeration ends). Binds first if <see cref="Start"/> was not called. Empty datagrams (probes from a
    /// starting listener) are skipped. One enumeration at a time.
    /// </summary>
    public async IAsyncEnumerable<ExecQueueMessage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Start();
        var socket = _socket!;

        // One byte more than execd reads: a datagram that fills it was longer than OS_MAXSTR.
        var buffer = GC.AllocateUninitializedArray<byte>(MaxMessageBytes + 1);
        while (true)
        {
            int received;
            try
            {
                received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            }
            catch (Exception e) when (Volatile.Read(ref _disposed) && e is ObjectDisposedException or SocketException)
            {
                yield break;
            }

            if (received == 0)
            {
                continue;
            }

            var truncated = received > MaxMessageBytes;
            var sequence = Interlocked.Increment(ref _sequence);
            if (truncated)
            {
                _logger.LogWarning("Exec queue message {Sequence} is longer than {MaxBytes} bytes; only its first {MaxBytes} bytes were kept", sequence, MaxMessageBytes, MaxMessageBytes);
            }

            yield return new ExecQueueMessage(buffer.AsSpan(0, Math.Min(received, MaxMessageBytes)).ToArray(), sequence, truncated);
        }
    }

    /// <summary>Closes the socket and removes its file, unless another process has replaced it since.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_socket is null)
            {
                return;
            }

            _socket.Dispose();
            try
            {
                if (_boundIdentity is not null && UnixFileStatus.TryStat(SocketPath, out var status) && status.Identity == _boundIdentity)
                {
                    File.Delete(SocketPath);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning(e, "Could not remove exec queue socket {Path}", SocketPath);
            }
        }
    }

    private void RemoveStaleSocket()
    {
        if (!UnixFileStatus.TryStat(SocketPath, out var existing))
        {
            return;
        }

        if (!existing.IsSocket)
        {
            throw new IOException($"Exec queue path '{SocketPath}' exists and is not a socket; refusing to replace it.");
        }

        // connect() on a datagram socket succeeds only when a process is bound there; nothing is sent.
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(SocketPath));
                throw new ExecQueueInUseException(
                    $"Another process is listening on exec queue '{SocketPath}' (wazuh-execd or another Riposte); stop it first.");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // Nobody home: a leftover from a process that did not clean up.
            }
            catch (SocketException e)
            {
                throw new IOException($"Cannot tell whether exec queue '{SocketPath}' is in use: {e.Message}", e);
            }
        }

        File.Delete(SocketPath);
        _logger.LogWarning("Removed stale exec queue socket {Path}", SocketPath);
    }
}
