using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Riposte.Config.Settings;

/// <summary>A <c>host:port</c> to listen on; IPv6 hosts are written in brackets (<c>[::1]:9595</c>).</summary>
/// <param name="Host">An IP address (IPv6 without brackets) or a host name.</param>
/// <param name="Port">1 to 65535.</param>
public sealed record ListenEndpoint(string Host, int Port)
{
    /// <summary>True for <c>localhost</c> and loopback addresses, which only this host can reach.</summary>
    public bool IsLoopback => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>True for <c>0.0.0.0</c> and <c>::</c>, which listen on every interface.</summary>
    public bool IsWildcard => IPAddress.TryParse(Host, out var address)
        && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any));

    /// <summary>Parses <c>host:port</c>.</summary>
    /// <param name="text">For example <c>127.0.0.1:9595</c>, <c>[::1]:9595</c> or <c>localhost:9595</c>.</param>
    /// <param name="endpoint">The endpoint, when the text is valid.</param>
    /// <param name="error">Why the text is not valid, otherwise.</param>
    public static bool TryParse(string text, [NotNullWhen(true)] out ListenEndpoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        string host;
        string portText;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = $"\"{text}\" is not host:port (e.g. [::1]:9595)";
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
            if (!NetworkSyntax.TryParseAddress(host, out var v6, out error) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"\"{host}\" in brackets is not an IPv6 address";
                return false;
            }
        }
        else
        {
            int colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                error = $"\"{text}\" has no port; write host:port (e.g. 127.0.0.1:9595)";
                return false;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                error = $"\"{text}\": an IPv6 address needs brackets, e.g. [{host}]:{portText}";
                return false;
            }

            if (host.Length == 0)
            {
                error = $"\"{text}\" has no host; use 0.0.0.0 to listen on every interface or 127.0.0.1 for this host only";
                return false;
            }

            if (NetworkSyntax.LooksLikeIPv4(host))
            {
                if (!NetworkSyntax.TryParseAddress(host, out _, out var addressError))
                {
                    error = addressError;
                    return false;
                }
            }
            else if (Uri.CheckHostName(host) != UriHostNameType.Dns)
            {
                error = $"\"{host}\" is not a host name or IP address";
                return false;
            }
        }

        if (portText.Length is 0 or > 5 || !portText.All(char.IsAsciiDigit)
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            error = $"\"{portText}\" is not a port (1 to 65535)";
            return false;
        }

        endpoint = new ListenEndpoint(host, port);
        error = null;
        return true;
    }

    /// <summary>Formats as <c>host:port</c>, bracketing IPv6 hosts.</summary>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
