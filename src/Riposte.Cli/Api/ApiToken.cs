using System.Security.Cryptography;
using System.Text;
using Riposte.State;

namespace Riposte.Cli.Api;

/// <summary>
/// The bearer token the API accepts, read once at start from a file only the daemon's user can read: a token that
/// others can read, or a symlink that could be pointed elsewhere later, is refused rather than served.
/// </summary>
internal sealed class ApiToken
{
    private readonly byte[] _token;

    private ApiToken(byte[] token)
    {
        _token = token;
    }

    /// <summary>Reads and checks <paramref name="path"/>; null with <paramref name="error"/> saying why when it is not fit to use.</summary>
    public static ApiToken? Load(string path, out string? error) =>
        SecretFile.Read(path, "the API token file", out error) is { } text ? new ApiToken(Encoding.UTF8.GetBytes(text)) : null;

    /// <summary>True when <paramref name="presented"/> is the token; the comparison takes the same time wherever they differ.</summary>
    public bool Matches(ReadOnlySpan<char> presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented.ToArray());
        // FixedTimeEquals returns early on a length difference only, which reveals the length and nothing else;
        // hashing both first hides even that.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(bytes), SHA256.HashData(_token));
    }

    /// <summary>True when <paramref name="header"/> (an <c>Authorization</c> value) is <c>Bearer</c> with this token.</summary>
    public bool MatchesAuthorization(string? header) =>
        header is not null && header.StartsWith(BearerScheme, StringComparison.OrdinalIgnoreCase) && Matches(header.AsSpan(BearerScheme.Length).Trim());

    /// <summary>The scheme prefix of a bearer <c>Authorization</c> header.</summary>
    public const string BearerScheme = "Bearer ";

    /// <summary>
    /// A value derived from the token for <paramref name="purpose"/> (HMAC-SHA256, base64url): what the dashboard's session
    /// cookie holds, so the token itself never sits in a browser's cookie jar, and changing the token ends every session.
    /// </summary>
    public string Derive(string purpose) =>
        Convert.ToBase64String(HMACSHA256.HashData(_token, Encoding.UTF8.GetBytes(purpose))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The token itself (handed back by the Wazuh-compatible login to a client that proved it knows it).</summary>
    public string Value => Encoding.UTF8.GetString(_token);
}
