namespace Riposte.Config.Settings;

/// <summary>The <c>safety</c> section's schema.</summary>
internal static class SafetySchema
{
    public static SettingSection<SafetySettings> Section { get; } =
        new SettingSection<SafetySettings>(SafetySettings.Default, "Addresses no response may act on.")
            .Key("never_block_self", SettingTypes.Bool, (s, v) => s with { NeverBlockSelf = v },
                "Never act on loopback, this host's addresses, its gateway or its DNS servers.")
            .Key("allowlist", SettingTypes.Allowlist, (s, v) => s with { Allowlist = v },
                "Networks no response acts on, on top of Wazuh's <white_list>.");
}
