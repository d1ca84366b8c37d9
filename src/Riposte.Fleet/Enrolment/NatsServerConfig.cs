using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Riposte.Fleet.Enrolment;

/// <summary>TLS for nats-server's client port.</summary>
/// <param name="CertFile">PEM server certificate (with its chain).</param>
/// <param name="KeyFile">PEM key of <paramref name="CertFile"/>.</param>
/// <param name="CaFile">PEM CA that client certificates must chain to; needed with <paramref name="Verify"/>.</param>
/// <param name="Verify">Require and verify a client certificate from every client.</param>
public sealed record NatsTlsConfig(string CertFile, string KeyFile, string? CaFile = null, bool Verify = false);

/// <summary>One node's part in a nats-server cluster (three nodes for replicated streams).</summary>
/// <param name="Name">The cluster's name (the same on every node).</param>
/// <param name="Listen">This node's route listener, <c>HOST:PORT</c>.</param>
/// <param name="Routes">The routes to the nodes (<c>nats-route://HOST:PORT</c>; listing this node too is harmless).</param>
public sealed record NatsClusterConfig(string Name, string Listen, IReadOnlyList<string> Routes);

/// <summary>
/// A complete nats-server configuration for a fleet: the client listener, JetStream, optional TLS and cluster, and an
/// <c>include</c> of the authorization file <c>riposte fleet</c> keeps up to date. Only features of nats-server 2.9
/// (Debian 12's) are used.
/// </summary>
public sealed partial record NatsServerConfig
{
    /// <summary>Debian's configuration file, which its systemd unit runs nats-server with.</summary>
    public const string DebianConfigPath = "/etc/nats-server.conf";

    /// <summary>The client listener, <c>HOST:PORT</c>. Default <c>0.0.0.0:4222</c>.</summary>
    public string Listen { get; init; } = "0.0.0.0:4222";

    /// <summary>This server's name (JetStream in a cluster needs a distinct one per node); null lets nats-server pick.</summary>
    public string? ServerName { get; init; }

    /// <summary>JetStream's store directory. Default <c>/var/lib/nats/jetstream</c>.</summary>
    public string StoreDirectory { get; init; } = "/var/lib/nats/jetstream";

    /// <summary>JetStream's memory limit. Default 256 MB (Riposte's streams are file-backed).</summary>
    public long MaxMemoryStore { get; init; } = 256L * 1024 * 1024;

    /// <summary>JetStream's disk limit. Default 10 GB.</summary>
    public long MaxFileStore { get; init; } = 10L * 1024 * 1024 * 1024;

    /// <summary>TLS for clients; null for none.</summary>
    public NatsTlsConfig? Tls { get; init; }

    /// <summary>The cluster block; null for a single server.</summary>
    public NatsClusterConfig? Cluster { get; init; }

    /// <summary>
    /// The authorization file as the <c>include</c> names it: nats-server 2.9 resolves an include relative to the
    /// including file's directory, even an absolute path (it joins them), so use <see cref="IncludePath"/>.
    /// Null: no include (an open server).
    /// </summary>
    public string? AuthorizationInclude { get; init; }

    /// <summary>
    /// How a configuration at <paramref name="configPath"/> must name <paramref name="authorizationPath"/>: relative to
    /// the configuration's directory, because nats-server 2.9.10 joins every include path onto that directory
    /// (<c>include "/etc/x.conf"</c> in <c>/etc/nats-server.conf</c> opens <c>/etc/etc/x.conf</c>).
    /// </summary>
    public static string IncludePath(string configPath, string authorizationPath) =>
        Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(configPath))!, Path.GetFullPath(authorizationPath));

    /// <summary>The configuration text.</summary>
    /// <exception cref="ArgumentException">A value is malformed; the message says which.</exception>
    public string Render()
    {
        var text = new StringBuilder();
        text.Append("# nats-server configuration for a Riposte fleet (written by `riposte fleet nats-config`).\n");
        text.Append("listen: ").Append(NatsConfigText.Quote(HostPort(Listen, "listen"))).Append('\n');
        if (ServerName is { } name)
        {
            text.Append("server_name: ").Append(NatsConfigText.Quote(Name(name, "server name"))).Append('\n');
        }

        text.Append('\n').Append("jetstream {\n");
        text.Append("  store_dir: ").Append(NatsConfigText.Quote(FilePath(StoreDirectory, "store directory"))).Append('\n');
        text.Append("  max_memory_store: ").Append(NatsConfigText.Size(Positive(MaxMemoryStore, "max memory store"))).Append('\n');
        text.Append("  max_file_store: ").Append(NatsConfigText.Size(Positive(MaxFileStore, "max file store"))).Append('\n');
        text.Append("}\n");
        if (Tls is { } tls)
        {
            text.Append('\n').Append(RenderTls(tls));
        }

        if (Cluster is { } cluster)
        {
            text.Append('\n').Append(RenderCluster(cluster));
        }

        if (AuthorizationInclude is { } include)
        {
            text.Append("\n# The users and their permissions; `riposte fleet add-agent` rewrites it, then reload nats-server.\n");
            text.Append("include ").Append(NatsConfigText.Quote(FilePath(include, "authorization include"))).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The <c>tls { }</c> block alone.</summary>
    public static string RenderTls(NatsTlsConfig tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        if (tls.Verify && tls.CaFile is null)
        {
            throw new ArgumentException("verifying client certificates needs the CA that signs them (--tls-ca)", nameof(tls));
        }

        var text = new StringBuilder("tls {\n");
        text.Append("  cert_file: ").Append(NatsConfigText.Quote(FilePath(tls.CertFile, "TLS certificate"))).Append('\n');
        text.Append("  key_file: ").Append(NatsConfigText.Quote(FilePath(tls.KeyFile, "TLS key"))).Append('\n');
        if (tls.CaFile is { } ca)
        {
            text.Append("  ca_file: ").Append(NatsConfigText.Quote(FilePath(ca, "TLS CA"))).Append('\n');
        }

        text.Append("  verify: ").Append(tls.Verify ? "true" : "false").Append('\n');
        text.Append("  timeout: 2\n");
        return text.Append("}\n").ToString();
    }

    /// <summary>The <c>cluster { }</c> block alone.</summary>
    public static string RenderCluster(NatsClusterConfig cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.Routes.Count == 0)
        {
            throw new ArgumentException("a cluster needs its routes (--route)", nameof(cluster));
        }

        var text = new StringBuilder("cluster {\n");
        text.Append("  name: ").Append(NatsConfigText.Quote(Name(cluster.Name, "cluster name"))).Append('\n');
        text.Append("  listen: ").Append(NatsConfigText.Quote(HostPort(cluster.Listen, "cluster listen"))).Append('\n');
        text.Append("  routes: ").Append(NatsConfigText.QuoteList(cluster.Routes.Select(Route))).Append('\n');
        return text.Append("}\n").ToString();
    }

    private static string HostPort(string value, string what)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535 || !Host().IsMatch(value[..colon]))
        {
            throw new ArgumentException($"{what} \"{EnrolmentNames.Printable(value)}\" is not HOST:PORT");
        }

        return value;
    }

    private static string Route(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats-route" or "nats" or "tls")
            || uri.Port is < 1 or > 65535 || !Host().IsMatch(uri.Host) || uri.PathAndQuery is not ("" or "/") || uri.UserInfo.Length > 0)
        {
            throw new ArgumentException($"route \"{EnrolmentNames.Printable(url)}\" is not nats-route://HOST:PORT");
        }

        return url;
    }

    private static string Name(string value, string what) => Names().IsMatch(value)
        ? value
        : throw new ArgumentException($"{what} \"{EnrolmentNames.Printable(value)}\" is refused: 1 to 64 letters, digits, '.', '_' or '-'");

    private static string FilePath(string value, string what) =>
        value.Length > 0 && !value.Any(char.IsControl) ? value : throw new ArgumentException($"{what}: \"{EnrolmentNames.Printable(value)}\" is not a path");

    private static long Positive(long value, string what) => value > 0 ? value : throw new ArgumentException($"{what} must be positive");

    // A host name, an IPv4 address or a bracketed IPv6 address.
    [GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))$", RegexOptions.CultureInvariant)]
    private static partial Regex Host();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Names();
}
