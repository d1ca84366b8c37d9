using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Riposte.Execution;
using Riposte.Fleet.Registry;
using Riposte.State;

namespace Riposte.Fleet.Enrolment;

/// <summary>What an enrolment change did.</summary>
/// <param name="Agent">The agent as the registry now holds it.</param>
/// <param name="CredentialsFile">Its NATS credentials file (to copy to the agent); null for a Wazuh agent.</param>
/// <param name="NewPassword">Whether a new password was made (the agent needs the file again).</param>
public sealed record EnrolmentResult(EnrolledAgent Agent, string? CredentialsFile, bool NewPassword);

/// <summary>
/// Enrols, re-keys and removes agents: the registry (<c>agents.json</c>), the hashes (<c>secrets.json</c>), each
/// agent's credentials and the nats-server authorization file derived from them. Every change holds an exclusive
/// lock on the fleet directory, so two <c>riposte fleet</c> runs cannot lose each other's agents.
/// </summary>
/// <param name="paths">The fleet's files.</param>
public sealed class AgentEnrolment(FleetPaths paths)
{
    /// <summary>The fleet's files.</summary>
    public FleetPaths Paths { get; } = paths ?? throw new ArgumentNullException(nameof(paths));

    /// <summary>
    /// Enrols <paramref name="agent"/>, or updates its groups, labels and transport. A Riposte agent that already has
    /// working credentials keeps its password; one without gets a new one. A Wazuh agent has no NATS user.
    /// The manager's credentials are made on first use.
    /// </summary>
    /// <exception cref="ArgumentException">An id, group, label or version is refused; the message says which.</exception>
    public EnrolmentResult Add(EnrolledAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        if (EnrolmentNames.WhyNot(agent) is { } why)
        {
            throw new ArgumentException(why, nameof(agent));
        }

        return Change(state =>
        {
            var (registry, secrets) = state;
            var user = FleetNames.AgentUser(agent.Id);
            var fresh = false;
            string? credentials = null;
            if (agent.Transport == AgentTransport.Riposte)
            {
                credentials = Paths.AgentCredentials(agent.Id);
                if (!Works(credentials, user, secrets.Find(user)))
                {
                    secrets = NewCredentials(credentials, user, secrets);
                    fresh = true;
                }
            }
            else
            {
                secrets = secrets.Without(user);
                SecureFile.Delete(Paths.AgentCredentials(agent.Id));
            }

            return ((registry.With(agent), secrets), new EnrolmentResult(agent, credentials, fresh));
        });
    }

    /// <summary>Gives enrolled Riposte agent <paramref name="agentId"/> a new password; the old one stops working at the next reload.</summary>
    /// <exception cref="ArgumentException">Not an agent id.</exception>
    /// <exception cref="InvalidOperationException">The agent is not enrolled, or is a Wazuh agent.</exception>
    public EnrolmentResult Rekey(string agentId)
    {
        NatsAuthorization.RequireAgentId(agentId);
        return Change(state =>
        {
            var (registry, secrets) = state;
            var agent = registry.Find(agentId) ?? throw new InvalidOperationException($"agent {agentId} is not enrolled");
            if (agent.Transport != AgentTransport.Riposte)
            {
                throw new InvalidOperationException($"agent {agentId} is a Wazuh agent: it has no NATS credentials");
            }

            var credentials = Paths.AgentCredentials(agentId);
            secrets = NewCredentials(credentials, FleetNames.AgentUser(agentId), secrets);
            return ((registry, secrets), new EnrolmentResult(agent, credentials, true));
        });
    }

    /// <summary>Removes <paramref name="agentId"/> and its credentials; false when it was not enrolled.</summary>
    /// <exception cref="ArgumentException">Not an agent id.</exception>
    public bool Remove(string agentId)
    {
        NatsAuthorization.RequireAgentId(agentId);
        return Change(state =>
        {
            var (registry, secrets) = state;
            var known = registry.Find(agentId) is not null || secrets.Find(FleetNames.AgentUser(agentId)) is not null;
            SecureFile.Delete(Paths.AgentCredentials(agentId));
            return ((registry.Without(agentId), secrets.Without(FleetNames.AgentUser(agentId))), known);
        });
    }

    /// <summary>Makes the manager's credentials if it has none that work, and rewrites the authorization file.</summary>
    public void EnsureManager() => Change(state => (state, true));

    /// <summary>The registry as it is now (a missing file is empty).</summary>
    public AgentRegistry Registry() => AgentRegistry.Load(Paths.Registry);

    private T Change<T>(Func<(AgentRegistry Registry, FleetSecrets Secrets), ((AgentRegistry Registry, FleetSecrets Secrets) State, T Result)> change)
    {
        SecureDirectory.Ensure(Path.Combine(Paths.Directory, "agents"), SecureDirectory.OwnerOnly, SecureDirectory.OwnerOnly);
        using var held = Lock();
        var registry = AgentRegistry.Load(Paths.Registry);
        foreach (var enrolled in registry.Agents)
        {
            if (EnrolmentNames.WhyNot(enrolled) is { } why)
            {
                throw new FormatException($"{Paths.Registry}: agent {enrolled.Id}: {why}");
            }
        }

        var secrets = FleetSecrets.Load(Paths.Secrets);
        if (!Works(Paths.ManagerCredentials, FleetNames.ManagerUser, secrets.Find(FleetNames.ManagerUser)))
        {
            secrets = NewCredentials(Paths.ManagerCredentials, FleetNames.ManagerUser, secrets);
        }

        var ((newRegistry, newSecrets), result) = change((registry, secrets));

        // Order matters for a crash between writes: credentials first (above), then the hashes, then the registry,
        // then the file nats-server reads, which is derived from both and rewritten by every change.
        newSecrets.Save(Paths.Secrets);
        SecureFile.Write(Paths.Registry, Encoding.UTF8.GetBytes(newRegistry.ToJson()));
        SecureFile.Write(Paths.Authorization, Encoding.UTF8.GetBytes(NatsAuthorization.Render(NatsAuthorization.Users(newRegistry, newSecrets))));
        return result;
    }

    /// <summary>A new password written to <paramref name="credentialsFile"/>; the returned secrets hold its hash.</summary>
    private static FleetSecrets NewCredentials(string credentialsFile, string user, FleetSecrets secrets)
    {
        var password = FleetSecrets.NewPassword();
        new FleetCredentials(user, password).Write(credentialsFile);
        return secrets.With(user, FleetSecrets.Hash(password));
    }

    /// <summary>Whether <paramref name="credentialsFile"/> holds <paramref name="user"/> with a password matching <paramref name="hash"/>.</summary>
    private static bool Works(string credentialsFile, string user, string? hash)
    {
        if (hash is null || SecureFile.ReadIfExists(credentialsFile) is not { } bytes)
        {
            return false;
        }

        try
        {
            var credentials = System.Text.Json.JsonSerializer.Deserialize<FleetCredentials>(bytes);
            return credentials is { User: { } u, Password: { } p } && u == user && BCrypt.Net.BCrypt.Verify(p, hash);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }

    private SafeFileHandle Lock()
    {
        var path = Path.Combine(Paths.Directory, ".enrolment.lock");
        var fd = LibC.Open(LibC.PathBytes(path), LibC.O_RDWR | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, (uint)SecureFile.Mode);
        if (fd < 0)
        {
            throw new IOException($"cannot open '{path}': {LibC.StrError(Marshal.GetLastPInvokeError())}");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        // Blocking: another enrolment finishes in well under a second (a bcrypt hash or two).
        if (LibC.Flock(handle, LibC.LOCK_EX) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw new IOException($"cannot lock '{path}': {LibC.StrError(errno)}");
        }

        return handle;
    }
}
