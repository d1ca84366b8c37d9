using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Riposte.Config.Settings;
using Riposte.Events;

namespace Riposte.Notifications.Channels;

/// <summary>
/// RFC 5424 syslog: to a local unix datagram socket (<c>/dev/log</c>), over UDP (one message a datagram, RFC 5426) or
/// over TCP with octet counting (RFC 6587). The event's fields go in structured data <c>riposte@32473</c>.
/// </summary>
public sealed class SyslogChannel : INotificationChannel
{
    /// <summary>The structured data id (32473 is the enterprise number RFC 5612 sets aside for examples and private use).</summary>
    public const string SdId = "riposte@32473";

    private readonly SyslogSettings _settings;
    private readonly TimeProvider _time;
    private readonly string _host = Dns.GetHostName();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Socket? _socket;

    /// <summary>A channel to <paramref name="settings"/>' address.</summary>
    public SyslogChannel(SyslogSettings settings, TimeProvider time)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc />
    public async ValueTask SendAsync(NotificationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        byte[] payload = Encoding.UTF8.GetBytes(Format(message));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (socket.SocketType == SocketType.Stream)
                {
                    byte[] framed = [.. Encoding.ASCII.GetBytes(payload.Length.ToString(CultureInfo.InvariantCulture) + " "), .. payload];
                    await socket.SendAsync(framed, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await socket.SendAsync(payload, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                // A broken connection or a socket that went away: connect afresh on the retry.
                socket.Dispose();
                _socket = null;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The RFC 5424 line for <paramref name="message"/>.</summary>
    public string Format(NotificationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        int severity = message.Severity switch { EventSeverity.Error => 3, EventSeverity.Warning => 4, _ => 6 };
        int pri = (_settings.Facility * 8) + severity;
        var text = new StringBuilder();
        text.Append('<').Append(pri.ToString(CultureInfo.InvariantCulture)).Append(">1 ");
        text.Append(_time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)).Append(' ');
        text.Append(Header(_host, 255)).Append(" riposte ").Append(Environment.ProcessId.ToString(CultureInfo.InvariantCulture)).Append(' ');
        if (!message.IsDigest && message.Events.Count == 1)
        {
            var e = message.Events[0];
            text.Append(Header(e.Event, 32)).Append(" [").Append(SdId);
            Param(text, "id", e.Id.ToString(CultureInfo.InvariantCulture));
            Param(text, "time", e.At.ToString("O", CultureInfo.InvariantCulture));
            Param(text, "event", e.Event);
            Param(text, "severity", e.Severity);
            Param(text, "agent", e.Agent);
            Param(text, "response", e.Response);
            Param(text, "rkey", e.RKey);
            Param(text, "keys", e.Keys.Count == 0 ? null : string.Join(",", e.Keys));
            Param(text, "program", e.Program);
            Param(text, "alert_id", e.AlertId);
            Param(text, "rule_id", e.RuleId);
            Param(text, "rule_level", e.RuleLevel?.ToString(CultureInfo.InvariantCulture));
            Param(text, "exit_code", e.ExitCode?.ToString(CultureInfo.InvariantCulture));
            Param(text, "duration_ms", e.DurationMs.ToString(CultureInfo.InvariantCulture));
            Param(text, "source", e.Source);
            text.Append(']');
        }
        else
        {
            text.Append("digest [").Append(SdId);
            Param(text, "count", message.Count.ToString(CultureInfo.InvariantCulture));
            Param(text, "omitted", message.Omitted.ToString(CultureInfo.InvariantCulture));
            Param(text, "since", message.Since.ToString("O", CultureInfo.InvariantCulture));
            Param(text, "first_id", message.Events.Count > 0 ? message.Events[0].Id.ToString(CultureInfo.InvariantCulture) : null);
            Param(text, "last_id", message.Events.Count > 0 ? message.Events[^1].Id.ToString(CultureInfo.InvariantCulture) : null);
            text.Append(']');
        }

        text.Append(' ').Append(message.Summary);
        return text.ToString();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_socket is { } open)
        {
            return open;
        }

        string address = _settings.Address;
        Socket socket;
        if (address.StartsWith('/'))
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(address), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        else
        {
            var uri = new Uri(address);
            bool tcp = uri.Scheme == "tcp";
            var addresses = await Dns.GetHostAddressesAsync(uri.Host, cancellationToken).ConfigureAwait(false);
            var ip = addresses.Length > 0 ? addresses[0] : throw new SocketException((int)SocketError.HostNotFound);
            socket = new Socket(ip.AddressFamily, tcp ? SocketType.Stream : SocketType.Dgram, tcp ? ProtocolType.Tcp : ProtocolType.Udp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(ip, uri.Port), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        _socket = socket;
        return socket;
    }

    /// <summary>A header field: printable US-ASCII without spaces, at most <paramref name="max"/> long; "-" when empty.</summary>
    private static string Header(string value, int max)
    {
        var clean = new string([.. value.Where(c => c is > ' ' and <= '~').Take(max)]);
        return clean.Length == 0 ? "-" : clean;
    }

    /// <summary>An SD-PARAM; RFC 5424 escapes '"', '\' and ']' in values.</summary>
    private static void Param(StringBuilder text, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        text.Append(' ').Append(name).Append("=\"");
        foreach (char c in value)
        {
            if (c is '"' or '\\' or ']')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        text.Append('"');
    }
}
