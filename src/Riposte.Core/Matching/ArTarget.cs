using System.Globalization;

namespace Riposte.Matching;

/// <summary>Where an active response runs.</summary>
public enum ArTargetKind
{
    /// <summary>The manager itself (its exec queue).</summary>
    Server,
    /// <summary>One agent.</summary>
    Agent,
    /// <summary>Every active agent (not the manager).</summary>
    AllAgents,
}

/// <summary>A routing target: <c>server</c>, a 3-digit agent id, or <c>all</c>.</summary>
/// <param name="Kind">Server, one agent or all agents.</param>
/// <param name="AgentId">For <see cref="ArTargetKind.Agent"/>, the id formatted as analysisd does (<c>%.3d</c>).</param>
public readonly record struct ArTarget(ArTargetKind Kind, string? AgentId)
{
    /// <summary>The manager.</summary>
    public static ArTarget Server { get; } = new(ArTargetKind.Server, null);

    /// <summary>All active agents.</summary>
    public static ArTarget AllAgents { get; } = new(ArTargetKind.AllAgents, null);

    /// <summary>One agent, by numeric id.</summary>
    public static ArTarget Agent(int id) => new(ArTargetKind.Agent, FormatAgentId(id));

    /// <summary>C's <c>%.3d</c>: at least three digits, sign first.</summary>
    public static string FormatAgentId(int id) => id < 0
        ? "-" + (-(long)id).ToString("D3", CultureInfo.InvariantCulture)
        : id.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary><c>server</c>, <c>all</c> or the agent id.</summary>
    public override string ToString() => Kind switch
    {
        ArTargetKind.Server => "server",
        ArTargetKind.AllAgents => "all",
        _ => AgentId!,
    };
}
