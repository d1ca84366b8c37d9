namespace Riposte.Config.Settings;

/// <summary>The <c>wazuh</c> section's schema.</summary>
internal static class WazuhSchema
{
    private static readonly SettingType<List<string>> Files = SettingTypes.TextList("an array of file paths")
        .Where(files => files.Count > 0, (path, _) => $"{path} must name at least one file");

    public static SettingSection<WazuhSettings> Section { get; } =
        new SettingSection<WazuhSettings>(WazuhSettings.Default, "Which of Wazuh's files to read.")
            .Key("ossec_conf", Files, (s, v) => s with { OssecConf = v }, "The ossec.conf files, read in order, relative to the Wazuh home unless absolute.");
}
