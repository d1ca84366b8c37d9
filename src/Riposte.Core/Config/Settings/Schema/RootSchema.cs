namespace Riposte.Config.Settings;

/// <summary>The top level of <c>riposte.json</c>: its sections, in the order "expected one of" lists them.</summary>
internal static class RootSchema
{
    public static SettingSection<RiposteSettings> Section { get; } =
        new SettingSection<RiposteSettings>(RiposteSettings.Default, "Riposte's own settings, beside Wazuh's ossec.conf.")
            .Key("home", SettingTypes.OptionalText, (s, v) => s with { Home = v }, "Root of the Wazuh layout; null means /var/ossec when it exists, else the current directory.")
            .Key("state", SettingTypes.Object(StateSchema.Section), (s, v) => s with { State = v }, StateSchema.Section.Doc)
            .Key("wazuh", SettingTypes.Object(WazuhSchema.Section), (s, v) => s with { Wazuh = v }, WazuhSchema.Section.Doc)
            .Key("execution", SettingTypes.Object(ExecutionSchema.Section), (s, v) => s with { Execution = v }, ExecutionSchema.Section.Doc)
            .Key("repeated_offenders", SettingTypes.Object(RepeatedOffendersSchema.Section), (s, v) => s with { RepeatedOffenders = v }, RepeatedOffendersSchema.Section.Doc)
            .Key("defaults", SettingTypes.Object(PolicySchema.Section), (s, v) => s with { Defaults = v.ApplyTo(ResponsePolicy.Default) }, "The policy every response starts from.")
            .Key("responses", PolicySchema.Responses, (s, v) => s with { Responses = v }, "Per-response policies by active-response or command name.")
            .Key("safety", SettingTypes.Object(SafetySchema.Section), (s, v) => s with { Safety = v }, SafetySchema.Section.Doc)
            .Key("notifications", NotificationSchema.Notifications, (s, v) => s with { Notifications = v }, "Webhook targets, in file order.")
            .Key("fleet", SettingTypes.Object(FleetSchema.Section), (s, v) => s with { Fleet = v }, FleetSchema.Section.Doc)
            .Key("api", SettingTypes.Object(ApiSchema.Api), (s, v) => s with { Api = v }, ApiSchema.Api.Doc)
            .Key("metrics", SettingTypes.Object(ApiSchema.Metrics), (s, v) => s with { Metrics = v }, ApiSchema.Metrics.Doc)
            .Rule((context, reading) =>
            {
                // notify may name a target defined further down the file, so references are checked once all are known
                NotificationSchema.CheckNotifyReferences(context);
                ApiSchema.CheckListenersApart(context, reading.Value);
                return reading.Value;
            });
}
