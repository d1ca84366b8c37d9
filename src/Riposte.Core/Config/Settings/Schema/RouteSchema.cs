using System.Collections.ObjectModel;
using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>The schema of a policy's <c>route</c>: where a fleet manager runs a response.</summary>
internal static class RouteSchema
{
    private const string AgentIdRule = "an agent id (3 to 8 digits, e.g. \"001\"; 000 is the manager, use \"manager\": true)";

    public static SettingSection<FleetRoute> Section { get; } =
        new SettingSection<FleetRoute>(new FleetRoute(), "Where a fleet manager runs the response: the union of every destination given.")
            .Key("agents", UniqueValid("an array of agent ids", AgentIds.IsValid, AgentIdRule),
                (r, v) => r with { Agents = v }, "Agent ids.")
            .Key("groups", UniqueValid("an array of group names", g => SafeNames.IsValid(g, allowDot: true), SafeNames.Rule("a group name", allowDot: true)),
                (r, v) => r with { Groups = v }, "Every enrolled agent in each of these groups.")
            .Key("labels", new SettingType<ReadOnlyDictionary<string, string>>("an object of label values", ReadLabels),
                (r, v) => r with { Labels = v }, "Every enrolled agent carrying all of these labels.")
            .Key("manager", SettingTypes.Bool, (r, v) => r with { Manager = v }, "The manager itself.")
            .Key("all_agents", SettingTypes.Bool, (r, v) => r with { AllAgents = v }, "Every enrolled agent.")
            .Key("alert_agent", SettingTypes.Bool, (r, v) => r with { AlertAgent = v }, "The agent the alert came from, as <location>local</location> does.")
            .Rule((context, reading) =>
            {
                if (reading.HadErrors)
                {
                    // A part that failed already says what is wrong; calling the rest "empty" would only add noise.
                    return null;
                }

                var route = reading.Value;
                if (route.Agents.Count == 0 && route.Groups.Count == 0 && route.Labels.Count == 0 && !route.Manager && !route.AllAgents && !route.AlertAgent)
                {
                    // An empty route would silently send the response nowhere, which nobody means.
                    context.Error(reading.Path, $"{reading.Path} names no destination; give agents, groups, labels, all_agents, manager or alert_agent, "
                        + "or leave route out to keep the block's <location>");
                    return null;
                }

                return route;
            });

    /// <summary>Strings kept in order, each once; an invalid one is an error, a repeated one a warning.</summary>
    private static SettingType<List<string>> UniqueValid(string expected, Func<string, bool> isValid, string rule) =>
        SettingTypes.TextList(expected).Then((context, path, items) =>
        {
            var kept = new List<string>();
            for (int i = 0; i < items.Count; i++)
            {
                string itemPath = JsonPositionIndex.Item(path, i);
                if (!isValid(items[i]))
                {
                    context.Error(itemPath, $"{itemPath}: \"{items[i]}\" is not {rule}");
                }
                else if (kept.Contains(items[i], StringComparer.Ordinal))
                {
                    context.Warning(itemPath, $"{itemPath}: \"{items[i]}\" is listed twice");
                }
                else
                {
                    kept.Add(items[i]);
                }
            }

            return Bound.Of(kept);
        });

    private static Bound<ReadOnlyDictionary<string, string>> ReadLabels(SettingsContext context, JsonElement value, string path)
    {
        if (!context.IsObject(value, path))
        {
            return default;
        }

        string rule = SafeNames.Rule("a label", allowDot: true);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in SettingsContext.Properties(value, path))
        {
            if (!SafeNames.IsValid(p.Name, allowDot: true))
            {
                context.ErrorAtName(p.Path, $"{p.Path}: \"{p.Name}\" is not {rule}");
                continue;
            }

            if (SettingTypes.Text.Read(context, p.Value, p.Path) is { Ok: true, Value: var text })
            {
                if (SafeNames.IsValid(text, allowDot: true))
                {
                    labels[p.Name] = text;
                }
                else
                {
                    context.Error(p.Path, $"{p.Path}: \"{text}\" is not {SafeNames.Rule("a label value", allowDot: true)}");
                }
            }
        }

        return Bound.Of(labels.AsReadOnly());
    }
}
