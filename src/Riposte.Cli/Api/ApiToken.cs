using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Riposte.Inputs;

namespace Riposte.Cli.Api;

/// <summary>
/// The bearer token the API accepts, read once at start from a file only the daemon's user can read: a token that
/// others can read, or a symlink that could be pointed elsewhere later, is refused rather than served.
/// </summary>
internal sealed class ApiToken
{
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int MaxBytes = 4096;

    private readonly byte[] _token;

    private ApiToken(byte[] token)
    {
        _token = token;
    }

    /// <summary>Reads and checks <paramref name="path"/>; null with <paramref name="error"/> saying why when it is not fit to use.</summary>
    public static ApiToken? Load(string path, out string? error)
    {
        error = null;
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                error = $"the API token file {path} is a symlink; point --api-token-file at the file itself";
                return null;
            }

            if (Directory.Exists(path))
            {
                error = $"the API token file {path} is not a regular file";
                return null;
            }

            if (!info.Exists)
            {
                error = $"the API token file {path} does not exist (create it with mode 0600, e.g. `head -c 32 /dev/urandom | base64 > {path}; chmod 600 {path}`)";
                return null;
            }

            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            // Checked on the opened file, so what was checked is what is read.
            var status = UnixFileStatus.FromHandle(handle);
            if ((status.Mode & FileTypeMask) != RegularFile)
            {
                error = $"the API token file {path} is not a regular file";
                return null;
            }

            if ((status.Mode & 0x3F) != 0)
            {
                error = $"the API token file {path} has mode {Convert.ToString(status.Mode & 0xFFF, 8).PadLeft(4, '0')}: group or others can access it; run `chmod 600 {path}`";
                return null;
            }

            if (status.Uid != EffectiveUid())
            {
                error = $"the API token file {path} is owned by uid {status.Uid.ToString(CultureInfo.InvariantCulture)}, not by the daemon's user (uid {EffectiveUid().ToString(CultureInfo.InvariantCulture)})";
                return null;
            }

            if (status.Size > MaxBytes)
            {
                error = $"the API token file {path} is larger than {MaxBytes} bytes; it should hold one token";
                return null;
            }

            var buffer = new byte[MaxBytes];
            var read = RandomAccess.Read(handle, buffer, 0);
            var text = Encoding.UTF8.GetString(buffer, 0, read).Trim();
            if (text.Length == 0)
            {
                error = $"the API token file {path} is empty";
                return null;
            }

            if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                error = $"the API token file {path} must hold one token on one line (no spaces or control characters)";
                return null;
            }

            return new ApiToken(Encoding.UTF8.GetBytes(text));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read the API token file {path}: {ex.Message}";
            return null;
        }
    }

    /// <summary>The token itself (handed back by the Wazuh-compatible login to a client that proved it knows it).</summary>
    public string Value => Encoding.UTF8.GetString(_token);

    /// <summary>True when <paramref name="presented"/> is the token; the comparison takes the same time wherever they differ.</summary>
    public bool Matches(ReadOnlySpan<char> presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented.ToArray());
        // FixedTimeEquals returns early on a length difference only, which reveals the length and nothing else;
        // hashing both first hides even that.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(bytes), SHA256.HashData(_token));
    }

    /// <summary>
    /// A value derived from the token for <paramref name="purpose"/> (HMAC-SHA256, base64url): what the dashboard's session
    /// cookie holds, so the token itself never sits in a browser's cookie jar, and changing the token ends every session.
    /// </summary>
    public string Derive(string purpose) =>
        Convert.ToBase64String(HMACSHA256.HashData(_token, Encoding.UTF8.GetBytes(purpose))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The effective uid from /proc (no P/Invoke needed for one number).</summary>
    private static uint EffectiveUid()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                return uint.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
