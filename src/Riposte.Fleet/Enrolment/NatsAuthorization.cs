using System.Text;
using System.Text.RegularExpressions;
using Riposte.Fleet.Registry;

namespace Riposte.Fleet.Enrolment;

/// <summary>What one NATS user may publish to and subscribe to (allow lists; everything else is denied).</summary>
/// <param name="Publish">Subjects it may publish to.</param>
/// <param name="Subscribe">Subjects it may subscribe to.</param>
public sealed record NatsPermissions(IReadOnlyList<string> Publish, IReadOnlyList<string> Subscribe);

/// <summary>One user of the authorization block.</summary>
/// <param name="Name">The NATS user name.</param>
/// <param name="PasswordHash">Its password as a bcrypt hash (<c>$2a$</c>); the plaintext never enters the server's configuration.</param>
/// <param name="Permissions">What it may do.</param>
public sealed record NatsUser(string Name, string PasswordHash, NatsPermissions Permissions);

/// <summary>
/// The nats-server <c>authorization { users = [...] }</c> block for a fleet: the manager and every enrolled Riposte
/// agent, each with exactly the subjects its role needs, so a compromised agent can read only its own commands and
/// speak only in its own name.
/// </summary>
public static partial class NatsAuthorization
{
    /// <summary>
    /// The manager's permissions. <c>$JS.API.&gt;</c> covers creating and updating streams and consumers, publish acks
    /// (replies come to its inbox) and pull requests on its outcome consumer; <c>$JS.ACK.RIPOSTE_OUT.&gt;</c> acks
    /// outcomes; <c>riposte.cmd.&gt;</c> publishes commands. It subscribes to heartbeats and its own inbox only.
    /// </summary>
    public static NatsPermissions ManagerPermissions { get; } = new(
        ["$JS.API.>", "$JS.ACK." + FleetNames.OutcomeStream + ".>", FleetNames.CommandPrefix + ">"],
        [FleetNames.HeartbeatPrefix + ">", FleetNames.ManagerInboxPrefix + ".>"]);

    /// <summary>
    /// An agent's permissions: the info and pull-request subjects of its own consumer, acks (and "in progress") of its
    /// own deliveries, its outcome and heartbeat subjects; it subscribes to its own inbox only, where pull deliveries,
    /// API replies and publish acks arrive.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="agentId"/> is not an agent id.</exception>
    public static NatsPermissions AgentPermissions(string agentId)
    {
        RequireAgentId(agentId);
        var consumer = FleetNames.AgentConsumer(agentId);
        return new NatsPermissions(
            [
                $"$JS.API.CONSUMER.INFO.{FleetNames.CommandStream}.{consumer}",
                $"$JS.API.CONSUMER.MSG.NEXT.{FleetNames.CommandStream}.{consumer}",
                $"$JS.ACK.{FleetNames.CommandStream}.{consumer}.>",
                FleetNames.OutcomeSubject(agentId),
                FleetNames.HeartbeatSubject(agentId),
            ],
            [FleetNames.AgentInboxPrefix(agentId) + ".>"]);
    }

    /// <summary>The manager user with <paramref name="passwordHash"/>.</summary>
    public static NatsUser Manager(string passwordHash) => new(FleetNames.ManagerUser, passwordHash, ManagerPermissions);

    /// <summary>The user of agent <paramref name="agentId"/> with <paramref name="passwordHash"/>.</summary>
    public static NatsUser Agent(string agentId, string passwordHash) =>
        new(FleetNames.AgentUser(agentId), passwordHash, AgentPermissions(agentId));

    /// <summary>
    /// The users for <paramref name="registry"/>: the manager, then every Riposte agent that has a hash in
    /// <paramref name="secrets"/> (Wazuh agents never connect to NATS).
    /// </summary>
    /// <exception cref="InvalidOperationException">The manager has no hash yet.</exception>
    public static IReadOnlyList<NatsUser> Users(AgentRegistry registry, FleetSecrets secrets)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(secrets);
        var manager = secrets.Find(FleetNames.ManagerUser)
            ?? throw new InvalidOperationException("the manager has no password yet");
        var users = new List<NatsUser> { Manager(manager) };
        foreach (var agent in registry.Agents.Where(a => a.Transport == AgentTransport.Riposte))
        {
            if (secrets.Find(FleetNames.AgentUser(agent.Id)) is { } hash)
            {
                users.Add(Agent(agent.Id, hash));
            }
        }

        return users;
    }

    /// <summary>The authorization block for <paramref name="users"/>.</summary>
    /// <exception cref="ArgumentException">A user name, hash or subject is outside what this renderer accepts.</exception>
    public static string Render(IEnumerable<NatsUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var text = new StringBuilder();
        text.Append("# Written by `riposte fleet`; do not edit: it is regenerated on every enrolment change.\n");
        text.Append("authorization {\n  users = [\n");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            // Everything is validated even though every caller builds it from validated ids: this text is a server
            // configuration, and one stray quote or wildcard in it is a privilege escalation.
            if (!UserName().IsMatch(user.Name) || !seen.Add(user.Name))
            {
                throw new ArgumentException($"user \"{EnrolmentNames.Printable(user.Name)}\" is refused (or repeated)", nameof(users));
            }

            if (!IsBcryptHash(user.PasswordHash))
            {
                throw new ArgumentException($"user {user.Name}: the password is not a bcrypt hash; plaintext passwords never go into the server's configuration", nameof(users));
            }

            foreach (var subject in user.Permissions.Publish.Concat(user.Permissions.Subscribe))
            {
                if (!NatsConfigText.IsPermissionSubject(subject))
                {
                    throw new ArgumentException($"user {user.Name}: subject \"{EnrolmentNames.Printable(subject)}\" is refused", nameof(users));
                }
            }

            text.Append("    {\n");
            text.Append("      user: ").Append(NatsConfigText.Quote(user.Name)).Append('\n');
            text.Append("      password: ").Append(NatsConfigText.Quote(user.PasswordHash)).Append('\n');
            text.Append("      permissions: {\n");
            text.Append("        publish: { allow: ").Append(NatsConfigText.QuoteList(user.Permissions.Publish)).Append(" }\n");
            text.Append("        subscribe: { allow: ").Append(NatsConfigText.QuoteList(user.Permissions.Subscribe)).Append(" }\n");
            text.Append("      }\n");
            text.Append("    }\n");
        }

        text.Append("  ]\n}\n");
        return text.ToString();
    }

    /// <summary>Whether <paramref name="hash"/> is a bcrypt hash nats-server 2.9 recognises (<c>$2a$</c>, cost 04..31).</summary>
    public static bool IsBcryptHash(string? hash) => hash is not null && BcryptHash().IsMatch(hash);

    internal static void RequireAgentId(string agentId)
    {
        if (!FleetNames.IsAgentId(agentId))
        {
            throw new ArgumentException($"\"{EnrolmentNames.Printable(agentId)}\" is not an agent id (3 to 8 digits, not 000)", nameof(agentId));
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserName();

    // [0-3][0-9]: two-digit cost; 22 salt + 31 hash characters of bcrypt's base64 alphabet.
    [GeneratedRegex(@"^\$2a\$[0-3][0-9]\$[./A-Za-z0-9]{53}$", RegexOptions.CultureInvariant)]
    private static partial Regex BcryptHash();
}
