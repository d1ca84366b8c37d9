using Riposte.Config;

namespace Riposte.Protocol;

/// <summary>The header analysisd puts in front of a message for <c>queue/alerts/ar</c> (<c>get_exec_msg</c>).</summary>
public static class ArQueueHeader
{
    /// <summary>analysisd's source tag.</summary>
    public const string LocalSource = "(local_source) [] ";

    /// <summary>The API's and agent_control's source tag.</summary>
    public const string MessageToAgent = "(msg_to_agent) [] ";

    /// <summary>The three flag characters: <c>N</c>, then <c>R</c> for local, then <c>S</c> for defined-agent or all.</summary>
    public static string Flags(ArLocation location) => string.Concat(
        "N",
        location.HasFlag(ArLocation.Local) ? "R" : "N",
        location.HasFlag(ArLocation.DefinedAgent) || location.HasFlag(ArLocation.All) ? "S" : "N");

    /// <summary><c>(local_source) [] NRN 001 </c> for a location and a 3-digit agent id.</summary>
    public static string Build(ArLocation location, string agentId, string source = LocalSource) =>
        $"{source}{Flags(location)} {agentId} ";
}
