using Riposte.Matching.OsRegex;

namespace Riposte.Config;

/// <summary>What became of an <c>&lt;active-response&gt;</c> block when the configuration was read.</summary>
public enum ResponseStatus
{
    /// <summary>Accepted: written to ar.conf and bound to rules.</summary>
    Active,
    /// <summary><c>&lt;disabled&gt;yes&lt;/disabled&gt;</c>: discarded.</summary>
    Disabled,
    /// <summary>Dropped with warning 1306 (defined-agent with agent id 0).</summary>
    Dropped,
}

/// <summary>An <c>&lt;active-response&gt;</c> block as analysisd understands it.</summary>
public sealed record ActiveResponseDefinition
{
    /// <summary>0-based position among all <c>&lt;active-response&gt;</c> blocks read (accepted or not).</summary>
    public required int BlockIndex { get; init; }

    /// <summary>Where the block starts.</summary>
    public required SourcePosition Position { get; init; }

    /// <summary>Accepted, disabled or dropped.</summary>
    public required ResponseStatus Status { get; init; }

    /// <summary>The <c>&lt;command&gt;</c> text as written.</summary>
    public string? CommandName { get; init; }

    /// <summary>The first command with that name defined before this block; null when not resolved.</summary>
    public CommandDefinition? Command { get; init; }

    /// <summary>The AR name: command name followed by the (corrected) timeout, e.g. <c>firewall-drop600</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The <c>&lt;location&gt;</c> text as written.</summary>
    public string? LocationText { get; init; }

    /// <summary>Location bits.</summary>
    public ArLocation Location { get; init; }

    /// <summary>The <c>&lt;agent_id&gt;</c> text as written.</summary>
    public string? AgentIdText { get; init; }

    /// <summary><c>atoi(agent_id)</c>: one agent only.</summary>
    public int AgentId { get; init; }

    /// <summary>Minimum rule level; 0 means no level criterion.</summary>
    public int Level { get; init; }

    /// <summary>The <c>&lt;rules_group&gt;</c> OS_Regex pattern, or null.</summary>
    public string? RulesGroup { get; init; }

    /// <summary>The compiled <see cref="RulesGroup"/>; null when absent or when Wazuh could not compile it (never matches).</summary>
    public OsRegexPattern? RulesGroupRegex { get; init; }

    /// <summary>The <c>&lt;rules_id&gt;</c> text as written, or null.</summary>
    public string? RulesIdText { get; init; }

    /// <summary>Rule ids parsed from <see cref="RulesIdText"/> with analysisd's loop (stops at the first bad character).</summary>
    public IReadOnlyList<int> RulesIds { get; init; } = [];

    /// <summary>Timeout in seconds after the <c>timeout_allowed</c> correction; 0 = stateless.</summary>
    public int Timeout { get; init; }

    /// <summary>True when the block carries no level, group or rules_id criterion (it never matches).</summary>
    public bool HasNoCriteria => Level == 0 && RulesGroup is null && RulesIdText is null;

    /// <summary>The program file name, from the bound command.</summary>
    public string? Executable => Command?.Executable;
}
