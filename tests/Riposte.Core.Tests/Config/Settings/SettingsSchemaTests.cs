namespace Riposte.Config.Settings;

/// <summary>The schema as data: what documentation and the role rules read from it.</summary>
public sealed class SettingsSchemaTests
{
    private static readonly (string Section, string Doc, (string Name, string Expected, string Doc, bool Required)[] Keys)[] Sections =
    [
        Describe("(top level)", RootSchema.Section), Describe("state", StateSchema.Section), Describe("wazuh", WazuhSchema.Section),
        Describe("execution", ExecutionSchema.Section), Describe("repeated_offenders", RepeatedOffendersSchema.Section),
        Describe("defaults", PolicySchema.Section), Describe("route", RouteSchema.Section), Describe("safety", SafetySchema.Section),
        Describe("notifications", NotificationSchema.Section), Describe("fleet", FleetSchema.Section),
        Describe("api", ApiSchema.Api), Describe("metrics", ApiSchema.Metrics),
    ];

    [Fact]
    public void Every_section_and_key_is_documented()
    {
        foreach (var (section, doc, keys) in Sections)
        {
            doc.ShouldNotBeNullOrWhiteSpace(section);
            keys.ShouldNotBeEmpty(section);
            keys.ShouldAllBe(k => k.Doc.Length > 0 && k.Expected.Length > 0, section);
        }
    }

    [Fact]
    public void Key_names_are_snake_case_so_suggestions_can_fold_case_and_dashes()
    {
        Sections.SelectMany(s => s.Keys).ShouldAllBe(k => k.Name.All(c => char.IsAsciiLetterLower(c) || c == '_'));
    }

    [Fact]
    public void Fleet_roles_read_and_need_the_documented_keys()
    {
        var keys = FleetSchema.Section.Keys;
        keys.Where(k => !k.Roles.HasFlag(SettingRoles.Agent)).Select(k => k.Name).ShouldBe(["replicas", "outcome_retention", "remoted_queue"]);
        keys.Where(k => !k.Roles.HasFlag(SettingRoles.Manager)).Select(k => k.Name).ShouldBe(["agent_id"]);
        keys.Where(k => k.NeededBy.HasFlag(SettingRoles.Agent)).Select(k => k.Name).ShouldBe(["nats_url", "agent_id"]);
        keys.Where(k => k.NeededBy.HasFlag(SettingRoles.Manager)).Select(k => k.Name).ShouldBe(["nats_url"]);
    }

    [Fact]
    public void Only_a_notification_has_keys_it_cannot_do_without() =>
        Sections.SelectMany(s => s.Keys.Where(k => k.Required).Select(k => $"{s.Section}.{k.Name}"))
            .ShouldBe(["notifications.name"]);

    private static (string, string, (string, string, string, bool)[]) Describe<T>(string name, SettingSection<T> section)
        where T : class =>
        (name, section.Doc, [.. section.Keys.Select(k => (k.Name, k.Expected, k.Doc, k.Required))]);
}
