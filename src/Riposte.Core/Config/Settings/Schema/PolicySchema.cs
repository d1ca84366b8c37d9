using System.Collections.ObjectModel;
using System.Text.Json;

namespace Riposte.Config.Settings;

/// <summary>The schema of a response policy: the <c>defaults</c> section and each <c>responses</c> entry.</summary>
internal static class PolicySchema
{
    /// <summary>Names a <c>notify</c> list gives, each remembered to be checked against the notifications at the end.</summary>
    private static readonly SettingType<List<string>> NotifyNames = SettingTypes.TextList("an array of notification names")
        .Then((context, path, names) =>
        {
            for (int i = 0; i < names.Count; i++)
            {
                context.NotifyReferences.Add((names[i], JsonPositionIndex.Item(path, i)));
            }

            return Bound.Of(names);
        });

    public static SettingSection<ResponsePolicyOverride> Section { get; } =
        new SettingSection<ResponsePolicyOverride>(ResponsePolicyOverride.Empty, "A response policy; in responses, only what it gives replaces defaults.")
            .Key("allowlist", SettingTypes.Allowlist, (o, v) => o with { Allowlist = v }, "Networks this response never acts on, added to the defaults'.")
            .Key("dry_run", SettingTypes.Bool, (o, v) => o with { DryRun = v }, "Record what would run without running it.")
            .Key("max_new_per_minute", SettingTypes.Int(0, int.MaxValue, " (0 means unlimited)"),
                (o, v) => o with { MaxNewPerMinute = v }, "How many new (add) runs may start per minute; 0 means unlimited.")
            .Key("escalation", SettingTypes.ListOf(SettingTypes.Duration(allowZero: false), "an array of durations").OrNull(),
                (o, v) => o with { Escalation = v }, "Timeouts for the second, third, ... offence, replacing Wazuh's <repeated_offenders>.")
            .Key("notify", NotifyNames, (o, v) => o with { Notify = v }, "Names of notifications to tell about this response.")
            .Key("route", SettingTypes.Object(RouteSchema.Section).OrNull(),
                (o, v) => o with { Route = v }, "Where a fleet manager sends this response instead of its <location>.");

    /// <summary>The <c>responses</c> section: a policy per active-response or command name.</summary>
    public static SettingType<ReadOnlyDictionary<string, ResponsePolicyOverride>> Responses { get; } =
        new("an object of response policies", ReadResponses);

    private static Bound<ReadOnlyDictionary<string, ResponsePolicyOverride>> ReadResponses(SettingsContext context, JsonElement value, string path)
    {
        if (!context.IsObject(value, path))
        {
            return default;
        }

        var responses = new Dictionary<string, ResponsePolicyOverride>(StringComparer.Ordinal);
        foreach (var p in SettingsContext.Properties(value, path))
        {
            if (!LooksLikeResponseName(p.Name))
            {
                context.WarningAtName(p.Path, $"\"{p.Name}\" looks like neither an active-response name (e.g. firewall-drop600) nor a command name (e.g. firewall-drop)");
            }

            responses[p.Name] = Section.Bind(context, p.Value, p.Path) ?? ResponsePolicyOverride.Empty;
        }

        return Bound.Of(responses.AsReadOnly());
    }

    /// <summary>
    /// Command names are single words of letters, digits, '_', '-' and '.' (ar.conf is space-separated), and an
    /// active-response name is a command name followed by its timeout, so both share this shape.
    /// </summary>
    private static bool LooksLikeResponseName(string key) =>
        key.Length > 0
        && (char.IsAsciiLetterOrDigit(key[0]) || key[0] == '_')
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
