namespace Riposte.Config.Settings;

/// <summary>The <c>state</c> section: where Riposte keeps its own state.</summary>
public sealed record StateSettings
{
    /// <summary>The defaults.</summary>
    public static StateSettings Default { get; } = new();

    /// <summary>The SQLite state file, relative to the Wazuh home unless absolute. Default <c>riposte/state.db</c>.</summary>
    public string Path { get; init; } = "riposte/state.db";
}
