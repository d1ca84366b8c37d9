using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Riposte.Fleet.Enrolment;

/// <summary>
/// The bcrypt hashes of the fleet's NATS users (<c>etc/riposte-fleet/secrets.json</c>, mode 0600): the source the
/// authorization file is regenerated from, so enrolling one agent never needs another's plaintext. Plaintext
/// passwords exist only in each user's own credentials file.
/// </summary>
public sealed class FleetSecrets
{
    /// <summary>bcrypt's cost: 2^11 rounds, about 0.1 s per check on the server at connect time.</summary>
    public const int BcryptCost = 11;

    private readonly SortedDictionary<string, string> _hashes;

    private FleetSecrets(SortedDictionary<string, string> hashes) => _hashes = hashes;

    /// <summary>No users.</summary>
    public static FleetSecrets Empty => new(new SortedDictionary<string, string>(StringComparer.Ordinal));

    /// <summary>The users that have a hash.</summary>
    public IEnumerable<string> Users => _hashes.Keys;

    /// <summary>The hash of <paramref name="user"/>, or null.</summary>
    public string? Find(string user) => _hashes.GetValueOrDefault(user);

    /// <summary>These secrets with <paramref name="user"/>'s hash set to <paramref name="hash"/>.</summary>
    public FleetSecrets With(string user, string hash)
    {
        if (!NatsAuthorization.IsBcryptHash(hash))
        {
            throw new ArgumentException("not a bcrypt hash", nameof(hash));
        }

        return new FleetSecrets(new SortedDictionary<string, string>(_hashes, StringComparer.Ordinal) { [user] = hash });
    }

    /// <summary>These secrets without <paramref name="user"/>.</summary>
    public FleetSecrets Without(string user)
    {
        var copy = new SortedDictionary<string, string>(_hashes, StringComparer.Ordinal);
        copy.Remove(user);
        return new FleetSecrets(copy);
    }

    /// <summary>A new random password: 32 bytes from the OS generator, base64url (nothing to quote anywhere).</summary>
    public static string NewPassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The bcrypt hash of <paramref name="password"/> in the <c>$2a$</c> form nats-server 2.9 accepts.</summary>
    public static string Hash(string password) => BCrypt.Net.BCrypt.HashPassword(password, BCrypt.Net.BCrypt.GenerateSalt(BcryptCost, 'a'));

    /// <summary>Reads <paramref name="path"/>; a missing file has no users.</summary>
    /// <exception cref="FormatException">The file is not a secrets file.</exception>
    public static FleetSecrets Load(string path)
    {
        if (SecureFile.ReadIfExists(path) is not { } bytes)
        {
            return Empty;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{path}: not JSON: {ex.Message}", ex);
        }

        if (root is not JsonObject obj || obj["users"] is not JsonObject users)
        {
            throw new FormatException($"{path}: expected {{\"users\": {{\"USER\": \"BCRYPT HASH\"}}}}");
        }

        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (user, value) in users)
        {
            if (value?.GetValueKind() != JsonValueKind.String || !NatsAuthorization.IsBcryptHash(value.GetValue<string>()))
            {
                throw new FormatException($"{path}: users.{EnrolmentNames.Printable(user)}: expected a $2a$ bcrypt hash");
            }

            hashes[user] = value.GetValue<string>();
        }

        return new FleetSecrets(hashes);
    }

    /// <summary>Writes the file (atomically, mode 0600, never through a link).</summary>
    public void Save(string path)
    {
        var users = new JsonObject();
        foreach (var (user, hash) in _hashes)
        {
            users[user] = hash;
        }

        var json = new JsonObject { ["users"] = users }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        SecureFile.Write(path, Encoding.UTF8.GetBytes(json));
    }
}
