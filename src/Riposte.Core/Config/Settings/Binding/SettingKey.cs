namespace Riposte.Config.Settings;

/// <summary>The fleet roles a setting is read by.</summary>
[Flags]
internal enum SettingRoles
{
    /// <summary>No role.</summary>
    None = 0,

    /// <summary>A fleet manager.</summary>
    Manager = 1,

    /// <summary>A fleet agent.</summary>
    Agent = 2,

    /// <summary>Every host, whatever its role.</summary>
    All = Manager | Agent,
}

/// <summary>One key of a section in the settings schema.</summary>
/// <typeparam name="TSection">The settings record the section binds to.</typeparam>
internal sealed class SettingKey<TSection>
{
    /// <summary>The JSON name.</summary>
    public required string Name { get; init; }

    /// <summary>What the key takes, from its <see cref="SettingType{T}"/>.</summary>
    public required string Expected { get; init; }

    /// <summary>What the key does, for documentation; the default is on the settings record's property.</summary>
    public required string Doc { get; init; }

    /// <summary>The roles that read the key; a host in another role warns that it has no effect.</summary>
    public SettingRoles Roles { get; init; } = SettingRoles.All;

    /// <summary>The roles that cannot work without the key.</summary>
    public SettingRoles NeededBy { get; init; }

    /// <summary>True when the section is incomplete without the key, whatever the role.</summary>
    public bool Required { get; init; }

    /// <summary>Reads the key's value into the section being bound; a refused value leaves it as it was.</summary>
    public required Func<SettingsContext, SettingProperty, TSection, TSection> Apply { get; init; }
}
