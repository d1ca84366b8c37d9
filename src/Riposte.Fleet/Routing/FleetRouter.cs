using Riposte.Alerts;
using Riposte.Config;
using Riposte.Config.Settings;
using Riposte.Fleet.Registry;
using Riposte.Matching;
using Riposte.Protocol;

namespace Riposte.Fleet.Routing;

/// <summary>
/// Turns what analysisd decided (an <see cref="ArAction"/>) into a fleet manager's destinations. Without a Riposte
/// route it is Wazuh's routing (spec §3.2–3.3): <c>server</c> runs on the manager, <c>local</c> and
/// <c>defined-agent</c> on one agent, <c>all</c> on every enrolled agent and never the manager. A route
/// (<c>responses.&lt;name&gt;.route</c>) replaces the block's location with the union of what it names.
/// </summary>
/// <remarks>
/// Destinations come out de-duplicated (an agent named twice gets one command) in a stable order: the manager first,
/// then agents by numeric id, the order analysisd walks wazuh-db for <c>all</c>.
/// </remarks>
public sealed class FleetRouter
{
    /// <summary>The flags of every agent a route names: a route is an explicit list, like <c>defined-agent</c>.</summary>
    public const string RouteFlags = "NNS";

    private readonly AgentRegistry _registry;
    private readonly bool _remotedBridge;

    /// <summary>A router over <paramref name="registry"/>.</summary>
    /// <param name="registry">The enrolled agents (who <c>all</c>, groups and labels mean).</param>
    /// <param name="remotedBridge">
    /// Whether <c>fleet.remoted_queue</c> is set: then Wazuh agents, enrolled or not, are reached through remoted;
    /// otherwise they are undeliverable.
    /// </param>
    public FleetRouter(AgentRegistry registry, bool remotedBridge)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _remotedBridge = remotedBridge;
    }

    /// <summary>The destinations of <paramref name="action"/>, in order, each once.</summary>
    /// <param name="action">What <see cref="ArMatcher"/> decided: the block and its Wazuh target.</param>
    /// <param name="alert">The alert that triggered it (its agent, for <c>alert_agent</c>).</param>
    /// <param name="route">The response's route from <see cref="RiposteSettings.PolicyFor"/>; null keeps the block's location.</param>
    public IReadOnlyList<FleetDestination> Route(ArAction action, Alert alert, FleetRoute? route) =>
        [.. Explain(action, alert, route).Select(d => d.Destination)];

    /// <summary>As <see cref="Route"/>, with what named each destination (for <c>riposte explain</c>).</summary>
    public IReadOnlyList<RoutedDestination> Explain(ArAction action, Alert alert, FleetRoute? route)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(alert);
        var found = new Collector();
        if (route is null)
        {
            AddWazuh(found, action);
        }
        else
        {
            AddRoute(found, route, alert);
        }

        return found.InOrder();
    }

    private void AddWazuh(Collector found, ArAction action)
    {
        var location = action.Response.Location;
        var flags = ArQueueHeader.Flags(location);
        switch (action.Target.Kind)
        {
            case ArTargetKind.Server:
                found.Add(ManagerDestination.Instance, "location " + (action.Response.LocationText ?? "server"));
                break;
            case ArTargetKind.AllAgents:
                foreach (var agent in _registry.Agents)
                {
                    found.Add(ForAgent(agent.Id, flags), "location all");
                }

                break;
            default:
                // local and defined-agent, named as analysisd's path for them (Q5: all and server were checked first)
                var because = location.HasFlag(ArLocation.DefinedAgent) ? "location defined-agent" : "location local";
                found.Add(ForAgent(action.Target.AgentId!, flags), because);
                break;
        }
    }

    private void AddRoute(Collector found, FleetRoute route, Alert alert)
    {
        if (route.Manager)
        {
            found.Add(ManagerDestination.Instance, "manager");
        }

        if (route.AlertAgent)
        {
            // As local does: the manager for an alert of its own, else the alert's agent read with atoi and %.3d.
            var agent = alert.RoutingAgentId;
            found.Add(agent == "000" ? ManagerDestination.Instance : ForAgent(ArTarget.Agent(CNumbers.Atoi(agent)).AgentId!, RouteFlags),
                "alert_agent");
        }

        foreach (var id in route.Agents)
        {
            found.Add(ForAgent(id, RouteFlags), "agents");
        }

        foreach (var group in route.Groups)
        {
            foreach (var agent in _registry.InGroup(group))
            {
                found.Add(ForAgent(agent.Id, RouteFlags), "group " + group);
            }
        }

        if (route.Labels.Count > 0)
        {
            var because = "labels " + string.Join(",", route.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
            foreach (var agent in _registry.WithLabels(route.Labels))
            {
                found.Add(ForAgent(agent.Id, RouteFlags), because);
            }
        }

        if (route.AllAgents)
        {
            foreach (var agent in _registry.Agents)
            {
                found.Add(ForAgent(agent.Id, RouteFlags), "all_agents");
            }
        }
    }

    /// <summary>How one agent id is reached: its enrolment decides, and an id nobody enrolled is Wazuh's if remoted is bridged.</summary>
    private FleetDestination ForAgent(string id, string flags)
    {
        if (_registry.Find(id) is { } agent)
        {
            if (agent.Transport == AgentTransport.Riposte)
            {
                return new RiposteAgentDestination(id);
            }

            return _remotedBridge
                ? new WazuhAgentDestination(id, flags, agent.WazuhVersion)
                : new UndeliverableDestination(id, $"agent {id} is a Wazuh agent and fleet.remoted_queue is not set");
        }

        if (!FleetNames.IsAgentId(id))
        {
            // Only a garbled agent_id or alert agent gets here (atoi of text); remoted would not know it either.
            return new UndeliverableDestination(id, $"'{id}' is not an agent id");
        }

        return _remotedBridge
            ? new WazuhAgentDestination(id, flags, null)
            : new UndeliverableDestination(id, $"agent {id} is not enrolled");
    }

    /// <summary>Destinations keyed by agent (or the manager), first reason first, further reasons appended.</summary>
    private sealed class Collector
    {
        private readonly Dictionary<string, (FleetDestination Destination, List<string> Because)> _byKey = new(StringComparer.Ordinal);

        public void Add(FleetDestination destination, string because)
        {
            // The manager's key cannot collide with an agent id (agent ids are digits).
            var key = destination.AgentId ?? "manager";
            if (_byKey.TryGetValue(key, out var existing))
            {
                if (!existing.Because.Contains(because, StringComparer.Ordinal))
                {
                    existing.Because.Add(because);
                }

                return;
            }

            _byKey.Add(key, (destination, [because]));
        }

        public List<RoutedDestination> InOrder() =>
        [
            .. _byKey.Values
                .OrderBy(v => v.Destination is ManagerDestination ? 0 : 1)
                .ThenBy(v => NumericId(v.Destination.AgentId))
                .ThenBy(v => v.Destination.AgentId, StringComparer.Ordinal)
                .Select(v => new RoutedDestination(v.Destination, string.Join(", ", v.Because))),
        ];

        private static long NumericId(string? id) => id is not null && long.TryParse(id, out var n) ? n : long.MaxValue;
    }
}
