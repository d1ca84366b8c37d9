namespace Riposte.Config.Settings;

/// <summary>The <c>repeated_offenders</c> section's schema.</summary>
internal static class RepeatedOffendersSchema
{
    public static SettingSection<RepeatedOffendersSettings> Section { get; } =
        new SettingSection<RepeatedOffendersSettings>(RepeatedOffendersSettings.Default, "How repeat offences are counted.")
            .Key("mode", SettingTypes.Choice(("wazuh", RepeatedOffenderMode.Wazuh), ("decay", RepeatedOffenderMode.Decay)),
                (s, v) => s with { Mode = v }, "wazuh: execd's counters, never forgiven; decay: forgiven after forgive_after.")
            .Key("forgive_after", SettingTypes.Duration(allowZero: false),
                (s, v) => s with { ForgiveAfter = v }, "The quiet period after which a counter is forgiven, in decay mode.")
            .Rule((context, reading) =>
            {
                // Any mention counts, even an invalid one: the user meant to tune decay, and wazuh mode ignores it.
                if (reading.Given.TryGetValue("forgive_after", out var forgive) && reading.Value.Mode == RepeatedOffenderMode.Wazuh)
                {
                    context.WarningAtName(forgive.Path, $"{forgive.Path} has no effect unless {reading.Path}.mode is \"decay\"");
                }

                return reading.Value;
            });
}
