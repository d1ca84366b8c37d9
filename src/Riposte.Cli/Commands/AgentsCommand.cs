using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Riposte.Cli.Daemon;
using Riposte.Fleet;
using Riposte.Fleet.Registry;
using Riposte.Fleet.View;

namespace Riposte.Cli.Commands;

/// <summary>
/// <c>riposte agents</c>: every agent the manager knows, from its registry and its fleet view, with presence, version,
/// active responses and the commands waiting for it.
/// </summary>
internal static class AgentsCommand
{
    /// <summary>The state of an enrolled Riposte agent the fleet view has never heard from.</summary>
    public const string NeverSeen = "never seen";

    /// <summary>
    /// The state of a Wazuh agent: it speaks to wazuh-remoted, not to Riposte, so Riposte cannot tell
    /// (Wazuh's <c>agent_control -l</c> can).
    /// </summary>
    public const string Unknown = "unknown";

    public static Command Create(CliIo io)
    {
        var home = HomeOptions.CreateHome();
        var settings = HomeOptions.CreateSettings();
        var format = HomeOptions.CreateFormat();
        var command = new Command("agents", "List the fleet's agents: state, last seen, version, active responses, pending commands, groups, transport.")
        {
            home, settings, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (RiposteHome.Resolve(parse.GetValue(home), parse.GetValue(settings), io) is not { } layout)
            {
                return ExitCodes.InvalidInput;
            }

            var paths = FleetPaths.For(layout.Home, layout.StatePath);
            AgentRegistry registry;
            try
            {
                registry = AgentRegistry.Load(paths.Registry);
            }
            catch (FormatException e)
            {
                io.Error.WriteLine(e.Message);
                return ExitCodes.InvalidInput;
            }

            var json = parse.GetValue(format) == "json";
            var hasView = FleetStore.Exists(paths.FleetState);
            if (!hasView && !File.Exists(paths.Registry))
            {
                io.Out.Write(json ? "[]\n" : "no fleet here: enrol agents with riposte fleet add-agent\n");
                return ExitCodes.Ok;
            }

            var now = TimeProvider.System.GetUtcNow();
            var rows = await ReadAsync(registry, hasView ? paths.FleetState : null, TimeProvider.System, ct);
            io.Out.Write(json ? ToJson(rows, now) + "\n" : ToText(rows, now));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One line of the listing.</summary>
    internal sealed record AgentRow(
        string Id,
        string State,
        DateTimeOffset? LastSeen,
        string? Version,
        string? Hostname,
        int? Active,
        int Pending,
        IReadOnlyList<string> Groups,
        string Transport);

    /// <summary>The registry's agents and those only the fleet view knows (e.g. removed from the registry), by id.</summary>
    internal static async Task<IReadOnlyList<AgentRow>> ReadAsync(AgentRegistry registry, string? fleetView, TimeProvider time, CancellationToken ct)
    {
        IReadOnlyList<AgentPresence> seen = [];
        IReadOnlyDictionary<string, int> pending = new Dictionary<string, int>();
        if (fleetView is not null)
        {
            await using var store = await FleetStore.OpenReadOnlyAsync(fleetView, time, ct);
            seen = await store.ListAgentsAsync(ct);
            pending = await store.PendingCommandsAsync(null, ct);
        }

        var presence = seen.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var ids = registry.Agents.Select(a => a.Id).Concat(presence.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var rows = new List<AgentRow>();
        foreach (var id in ids)
        {
            var enrolled = registry.Find(id);
            var transport = enrolled?.Transport == AgentTransport.Wazuh ? "wazuh" : "riposte";
            var p = presence.GetValueOrDefault(id);
            var state = p?.State ?? (transport == "wazuh" ? Unknown : NeverSeen);
            rows.Add(new AgentRow(
                id, state, p?.LastSeen, p?.Version, p?.Hostname, p?.Active, pending.GetValueOrDefault(id), enrolled?.Groups ?? [], transport));
        }

        return rows;
    }

    /// <summary>"12s ago", "5m ago", "3h ago", "2d ago": the largest unit that fits, rounded down.</summary>
    internal static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var seconds = Math.Max(0, (long)(now - at).TotalSeconds);
        return seconds switch
        {
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds}s ago"),
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m ago"),
            < 86400 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}h ago"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400}d ago"),
        };
    }

    private static string ToJson(IReadOnlyList<AgentRow> rows, DateTimeOffset now)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, CliJson.Relaxed))
        {
            w.WriteStartArray();
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("id", r.Id);
                w.WriteString("state", r.State);
                if (r.LastSeen is { } lastSeen)
                {
                    w.WriteString("last_seen", CliJson.Timestamp(lastSeen));
                    w.WriteNumber("last_seen_ago_s", Math.Max(0, (long)(now - lastSeen).TotalSeconds));
                }
                else
                {
                    w.WriteNull("last_seen");
                    w.WriteNull("last_seen_ago_s");
                }

                w.WriteString("version", r.Version);
                w.WriteString("hostname", r.Hostname);
                if (r.Active is { } active)
                {
                    w.WriteNumber("active", active);
                }
                else
                {
                    w.WriteNull("active");
                }

                w.WriteNumber("pending", r.Pending);
                w.WriteStartArray("groups");
                foreach (var group in r.Groups)
                {
                    w.WriteStringValue(group);
                }

                w.WriteEndArray();
                w.WriteString("transport", r.Transport);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string ToText(IReadOnlyList<AgentRow> rows, DateTimeOffset now)
    {
        if (rows.Count == 0)
        {
            return "no agents\n";
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{"ID",-8} {"STATE",-12} {"LAST SEEN",-32} {"VERSION",-10} {"HOSTNAME",-20} {"ACTIVE",6} {"PENDING",7} {"TRANSPORT",-9} GROUPS");
        foreach (var r in rows)
        {
            var lastSeen = r.LastSeen is { } at ? $"{Ago(at, now)} ({CliJson.Timestamp(at)})" : "-";
            var active = r.Active?.ToString(CultureInfo.InvariantCulture) ?? "-";
            var groups = r.Groups.Count == 0 ? "-" : string.Join(',', r.Groups);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Id,-8} {r.State,-12} {lastSeen,-32} {r.Version ?? "-",-10} {r.Hostname ?? "-",-20} {active,6} {r.Pending,7} {r.Transport,-9} {groups}");
        }

        var counts = rows.GroupBy(r => r.State).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var summary = new[] { AgentStates.Active, AgentStates.Disconnected, AgentStates.Stopped, NeverSeen, Unknown }
            .Where(counts.ContainsKey)
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{counts[s]} {s}"));
        text.AppendLine(CultureInfo.InvariantCulture, $"{rows.Count} agents: {string.Join(", ", summary)}");
        return text.ToString();
    }
}

/// <summary>The <c>--agent</c> option of <c>status</c> and <c>history</c>, and the name local rows go by beside the fleet's.</summary>
internal static class FleetAgentOption
{
    /// <summary>What the <c>agent</c> column says for this host's own entries (Wazuh calls the manager agent 000).</summary>
    public const string Manager = "manager";

    public static Option<string?> Create(string what)
    {
        var option = new Option<string?>("--agent") { Description = $"Only {what} of this agent: an agent id, or manager (or 000) for this host's own." };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && value is not (Manager or "000") && !FleetNames.IsAgentId(value))
            {
                r.AddError($"--agent '{value}' is neither an agent id (3 to 8 digits) nor manager");
            }
        });
        return option;
    }

    /// <summary>The filter's canonical form: null (everything), <see cref="Manager"/>, or an agent id.</summary>
    public static string? Normalize(string? value) => value == "000" ? Manager : value;

    /// <summary>The fleet view beside the home's state file.</summary>
    public static string FleetViewPath(RiposteHome layout) => FleetPaths.For(layout.Home, layout.StatePath).FleetState;
}
