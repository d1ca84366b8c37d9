namespace Riposte.Config.Settings;

/// <summary>The <c>state</c> section's schema.</summary>
internal static class StateSchema
{
    public static SettingSection<StateSettings> Section { get; } =
        new SettingSection<StateSettings>(StateSettings.Default, "Where Riposte keeps its own state.")
            .Key("path", SettingTypes.Text, (s, v) => s with { Path = v }, "The SQLite state file, relative to the Wazuh home unless absolute.");
}
