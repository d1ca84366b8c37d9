namespace Riposte.Config.Settings;

/// <summary>The <c>wazuh</c> section: which of Wazuh's files to read.</summary>
public sealed record WazuhSettings
{
    private static readonly string[] DefaultOssecConf = ["etc/ossec.conf"];

    /// <summary>The defaults.</summary>
    public static WazuhSettings Default { get; } = new();

    /// <summary>
    /// The <c>ossec.conf</c> files, relative to the Wazuh home unless absolute, read in this order (as Wazuh reads
    /// its main file and then its shared <c>agent.conf</c>). Never empty. Default <c>["etc/ossec.conf"]</c>.
    /// </summary>
    public IReadOnlyList<string> OssecConf { get; init; } = DefaultOssecConf;
}
