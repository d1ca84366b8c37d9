using NATS.Client.Core;
using Riposte.Fleet.Registry;

namespace Riposte.Fleet.Transport;

/// <summary>TLS for the NATS connection: the CA to trust and, for servers that verify clients, a certificate and key.</summary>
/// <param name="CaFile">PEM CA file.</param>
/// <param name="CertFile">PEM client certificate.</param>
/// <param name="KeyFile">PEM client key.</param>
public sealed record FleetTls(string? CaFile, string? CertFile = null, string? KeyFile = null);

/// <summary>How one Riposte process (a manager or an agent) connects to NATS.</summary>
/// <param name="Url">The server (<c>nats://</c> or <c>tls://</c>; several servers separated by commas in the string form).</param>
/// <param name="Credentials">Who it is; null for an open server (tests, loopback experiments).</param>
/// <param name="InboxPrefix">Its inbox prefix (<see cref="FleetNames.AgentInboxPrefix"/> or <see cref="FleetNames.ManagerInboxPrefix"/>).</param>
/// <param name="Name">The client name the server shows (<c>riposte-agent-001</c>).</param>
/// <param name="Tls">TLS settings; null uses TLS only for a <c>tls://</c> URL, trusting the system's CAs.</param>
public sealed record FleetConnectionOptions(string Url, FleetCredentials? Credentials, string InboxPrefix, string Name, FleetTls? Tls = null);

/// <summary>Builds NATS connections for fleet roles.</summary>
public static class FleetConnection
{
    /// <summary>The NATS.Net options for <paramref name="options"/>: reconnect forever, never give up on the server.</summary>
    public static NatsOpts Options(FleetConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var auth = NatsAuthOpts.Default;
        if (options.Credentials is { CredsFile: { } creds })
        {
            auth = auth with { CredsFile = creds };
        }
        else if (options.Credentials is { User: { } user, Password: { } password })
        {
            auth = auth with { Username = user, Password = password };
        }

        var tls = NatsTlsOpts.Default;
        if (options.Tls is { } t)
        {
            tls = tls with
            {
                Mode = TlsMode.Require,
                CaFile = t.CaFile,
                CertFile = t.CertFile,
                KeyFile = t.KeyFile,
            };
        }

        return NatsOpts.Default with
        {
            Url = options.Url,
            Name = options.Name,
            AuthOpts = auth,
            TlsOpts = tls,
            InboxPrefix = options.InboxPrefix,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            // The daemons retry the first connection themselves, so they can tell refused credentials from a server that is down.
            RetryOnInitialConnect = false,
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
    }

    /// <summary>A connection (not yet connected: call <c>ConnectAsync</c>, or let the first use connect it).</summary>
    public static NatsConnection Create(FleetConnectionOptions options) => new(Options(options));
}
