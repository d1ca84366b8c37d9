using System.Text.Json;
using System.Text.Json.Serialization;

namespace Riposte.Fleet.Registry;

/// <summary>
/// A NATS user and password, as <c>riposte fleet add-agent</c> writes them for one agent (mode 0600), or the path of a
/// standard NATS <c>.creds</c> file (JWT + NKey seed) for sites that run their own NATS accounts.
/// </summary>
/// <param name="User">The NATS user.</param>
/// <param name="Password">Its password.</param>
/// <param name="CredsFile">A NATS <c>.creds</c> file instead of a user and password.</param>
public sealed record FleetCredentials(
    [property: JsonPropertyName("user")] string? User,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("creds_file")] string? CredsFile = null)
{
    /// <summary>
    /// Reads <paramref name="path"/>: a file ending in <c>.creds</c> is a NATS credentials file; anything else is Riposte's JSON.
    /// </summary>
    /// <exception cref="FormatException">The file holds neither.</exception>
    public static FleetCredentials Read(string path)
    {
        if (path.EndsWith(".creds", StringComparison.Ordinal))
        {
            return new FleetCredentials(null, null, Path.GetFullPath(path));
        }

        FleetCredentials? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<FleetCredentials>(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{path}: not a Riposte credentials file ({ex.Message})", ex);
        }

        if (parsed is not { User.Length: > 0, Password.Length: > 0 })
        {
            throw new FormatException($"{path}: expected {{\"user\": ..., \"password\": ...}}");
        }

        return parsed;
    }

    /// <summary>Writes the JSON form to <paramref name="path"/>: readable by its owner only, atomically, never through a link.</summary>
    public void Write(string path)
    {
        State.SecureDirectory.Ensure(Path.GetDirectoryName(Path.GetFullPath(path))!, State.SecureDirectory.OwnerOnly, State.SecureDirectory.OwnerOnly);
        Enrolment.SecureFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(this with { CredsFile = null }));
    }
}
