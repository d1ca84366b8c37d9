using System.Globalization;
using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>
/// <c>disable-account</c>, key <c>[dstuser]</c>: <c>passwd -l USER</c> on add, <c>passwd -u USER</c> on delete, as Wazuh
/// does, for names Wazuh's <c>is_valid_username</c> accepts (never <c>root</c>). Beyond Wazuh, before the handshake it
/// looks the account up (<c>getent passwd USER</c>) and refuses any account with uid 0 whatever its name (exit 255),
/// refuses all-digit names (getent, and some tools, read those as uids, so the account checked might not be the one
/// locked), and stops without acting (exit 0) for an account that does not exist, so execd/Riposte record nothing
/// for it. <c>passwd -l</c> locks the password only: key-based SSH logins still work.
/// </summary>
internal sealed class DisableAccount : ResponseProgram
{
    public override string Name => "disable-account";

    /// <summary>The <c>passwd</c> argument vector.</summary>
    public static string[] PasswdArguments(bool disable, string user) => [disable ? "-l" : "-u", user];

    public override async Task<IReadOnlyList<string>> GetKeysAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var user = context.RequireDestinationUser();
        if (!user.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            throw new ResponseException($"Refusing numeric user name '{user}' (it reads as a uid)");
        }

        var getent = context.RequireTool("getent");
        var lookup = await Tools.RunAsync(getent, ["passwd", user], cancellationToken).ConfigureAwait(false);
        if (lookup is { Started: true, TimedOut: false, ExitCode: 2 })
        {
            throw new ResponseException($"User '{user}' does not exist", 0);
        }

        var fields = lookup.StandardOutput.Split('\n')[0].Split(':');
        if (!lookup.Succeeded || fields.Length < 3 || fields[0] != user ||
            !uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            throw new ResponseException($"Cannot look up account '{user}': {lookup.Describe()}", 1);
        }

        return uid == 0 ? throw new ResponseException($"Refusing to act on '{user}': uid 0") : [user];
    }

    public override Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken) =>
        ApplyAsync(context, disable: true, cancellationToken);

    public override Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken) =>
        ApplyAsync(context, disable: false, cancellationToken);

    private static async Task<ResponseOutcome> ApplyAsync(ResponseContext context, bool disable, CancellationToken cancellationToken)
    {
        var user = context.Keys[0];
        var passwd = context.RequireTool("passwd");
        var result = await Tools.RunAsync(passwd, PasswdArguments(disable, user), cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return ResponseOutcome.Ended;
        }

        // Unlocking an account that had no password would make it passwordless; passwd refuses and it stays locked.
        return !disable && Tools.Says(result, "passwordless")
            ? ResponseOutcome.EndedWith($"passwd: '{user}' stays locked (unlocking would leave it without a password)")
            : Tools.Failed(result);
    }
}
