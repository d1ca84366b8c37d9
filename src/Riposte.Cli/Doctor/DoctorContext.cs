using Riposte.Cli.Daemon;
using Riposte.Config;

namespace Riposte.Cli.Doctor;

/// <summary>What the checks look at: the home as <c>serve</c> would resolve it, and how to probe the host.</summary>
internal sealed class DoctorContext
{
    private ConfigLoadResult? _config;

    /// <summary>Creates the context of one doctor run.</summary>
    public DoctorContext(RiposteHome layout, IReadOnlyList<string> configFiles, ConfigRole role, bool deep, string toolSearchPath, TimeProvider time)
    {
        Layout = layout;
        ConfigFiles = configFiles.Count > 0 ? configFiles : layout.OssecConf;
        Role = role;
        Deep = deep;
        ToolSearchPath = toolSearchPath;
        Time = time;
    }

    /// <summary>The home and its settings.</summary>
    public RiposteHome Layout { get; }

    /// <summary>The ossec.conf files <c>serve</c> would read (explicit ones, else the settings' list).</summary>
    public IReadOnlyList<string> ConfigFiles { get; }

    /// <summary>manager or agent: how ossec.conf is read and where the command table comes from.</summary>
    public ConfigRole Role { get; }

    /// <summary>True with <c>--deep</c>: every program is also run through <c>script-test</c>.</summary>
    public bool Deep { get; }

    /// <summary>Where tools are looked up (the programs find them in their <c>PATH</c>, inherited from <c>serve</c>).</summary>
    public string ToolSearchPath { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The riposte.json that applies (given, or HOME/etc/riposte.json when it exists); null for the defaults.</summary>
    public string? SettingsFile { get; init; }

    /// <summary>Time limit of each script-test step with <c>--deep</c>.</summary>
    public TimeSpan DeepStepLimit { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The configuration as <c>serve</c> loads it (read once, shared by the checks).</summary>
    public ConfigLoadResult Config => _config ??= OssecConfigReader.ReadFiles([.. ConfigFiles], Role);
}
