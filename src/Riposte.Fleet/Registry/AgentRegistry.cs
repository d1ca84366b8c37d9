using System.Text.Json;
using System.Text.Json.Nodes;

namespace Riposte.Fleet.Registry;

/// <summary>
/// The agents a manager knows (<c>etc/riposte-fleet/agents.json</c>): who <c>all</c> means, which groups and labels each
/// has, and whether it is a Riposte agent or an unchanged Wazuh one. Written by <c>riposte fleet add-agent</c>.
/// </summary>
public sealed class AgentRegistry
{
    private readonly Dictionary<string, EnrolledAgent> _byId;

    /// <summary>A registry holding <paramref name="agents"/>.</summary>
    public AgentRegistry(IEnumerable<EnrolledAgent> agents)
    {
        _byId = new Dictionary<string, EnrolledAgent>(StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            _byId[agent.Id] = agent;
        }

        Agents = [.. _byId.Values.OrderBy(a => a.Id, StringComparer.Ordinal)];
    }

    /// <summary>No agents.</summary>
    public static AgentRegistry Empty { get; } = new([]);

    /// <summary>Every enrolled agent, by id.</summary>
    public IReadOnlyList<EnrolledAgent> Agents { get; }

    /// <summary>The agent with <paramref name="id"/>, or null.</summary>
    public EnrolledAgent? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The agents in group <paramref name="group"/> (case-sensitive, as Wazuh's groups are).</summary>
    public IEnumerable<EnrolledAgent> InGroup(string group) => Agents.Where(a => a.Groups.Contains(group, StringComparer.Ordinal));

    /// <summary>The agents carrying every one of <paramref name="labels"/>.</summary>
    public IEnumerable<EnrolledAgent> WithLabels(IReadOnlyDictionary<string, string> labels) =>
        Agents.Where(a => labels.All(l => a.Labels.TryGetValue(l.Key, out var v) && string.Equals(v, l.Value, StringComparison.Ordinal)));

    /// <summary>This registry with <paramref name="agent"/> added or replaced.</summary>
    public AgentRegistry With(EnrolledAgent agent) => new(Agents.Where(a => a.Id != agent.Id).Append(agent));

    /// <summary>This registry without <paramref name="id"/>.</summary>
    public AgentRegistry Without(string id) => new(Agents.Where(a => a.Id != id));

    /// <summary>Reads <paramref name="path"/>; a missing file is an empty registry.</summary>
    /// <exception cref="FormatException">The file is not a registry; the message says where.</exception>
    public static AgentRegistry Load(string path)
    {
        if (!File.Exists(path))
        {
            return Empty;
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses a registry document.</summary>
    /// <exception cref="FormatException">The text is not a registry.</exception>
    public static AgentRegistry Parse(string json, string source = "agents.json")
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: not JSON: {ex.Message}", ex);
        }

        if (root is not JsonObject obj || obj["agents"] is not JsonArray list)
        {
            throw new FormatException($"{source}: expected {{\"agents\": [...]}}");
        }

        var agents = new List<EnrolledAgent>();
        for (var i = 0; i < list.Count; i++)
        {
            var where = $"{source}: agents[{i}]";
            if (list[i] is not JsonObject item || item["id"]?.GetValueKind() != JsonValueKind.String)
            {
                throw new FormatException($"{where}: expected an object with a string \"id\"");
            }

            var id = item["id"]!.GetValue<string>();
            if (!FleetNames.IsAgentId(id))
            {
                throw new FormatException($"{where}: \"{id}\" is not an agent id (3 to 8 digits, not 000)");
            }

            var groups = item["groups"] is JsonArray g ? g.Select(x => x?.GetValue<string>() ?? "").ToArray() : [];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (item["labels"] is JsonObject l)
            {
                foreach (var (key, value) in l)
                {
                    labels[key] = value?.GetValue<string>() ?? "";
                }
            }

            var transport = item["transport"]?.GetValue<string>() switch
            {
                null or "riposte" => AgentTransport.Riposte,
                "wazuh" => AgentTransport.Wazuh,
                var other => throw new FormatException($"{where}: transport \"{other}\" is neither \"riposte\" nor \"wazuh\""),
            };
            agents.Add(new EnrolledAgent(id, groups, labels, transport, item["wazuh_version"]?.GetValue<string>()));
        }

        return new AgentRegistry(agents);
    }

    /// <summary>The registry as its JSON document.</summary>
    public string ToJson()
    {
        var list = new JsonArray();
        foreach (var agent in Agents)
        {
            var item = new JsonObject
            {
                ["id"] = agent.Id,
                ["groups"] = new JsonArray([.. agent.Groups.Select(g => (JsonNode?)JsonValue.Create(g))]),
                ["labels"] = new JsonObject(agent.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)
                    .Select(l => KeyValuePair.Create(l.Key, (JsonNode?)JsonValue.Create(l.Value)))),
                ["transport"] = agent.Transport == AgentTransport.Wazuh ? "wazuh" : "riposte",
            };
            if (agent.WazuhVersion is { } version)
            {
                item["wazuh_version"] = version;
            }

            list.Add(item);
        }

        return new JsonObject { ["agents"] = list }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
