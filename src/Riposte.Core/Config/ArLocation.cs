namespace Riposte.Config;

/// <summary>The location bits analysisd derives from <c>&lt;location&gt;</c> (several may be set).</summary>
[Flags]
public enum ArLocation
{
    /// <summary>No keyword recognised.</summary>
    None = 0,
    /// <summary><c>server</c>/<c>AS</c>/<c>analysisd</c>: run on the manager (AS_ONLY).</summary>
    Server = 1,
    /// <summary><c>local</c>: run on the agent that produced the event (REMOTE_AGENT).</summary>
    Local = 2,
    /// <summary><c>defined-agent</c>: run on <c>agent_id</c> (SPECIFIC_AGENT).</summary>
    DefinedAgent = 4,
    /// <summary><c>all</c>/<c>any</c>: run on every active agent (ALL_AGENTS).</summary>
    All = 8,
}

/// <summary>Which analysisd queues are enabled (Wazuh's global <c>ar_flag</c>).</summary>
[Flags]
public enum ArQueues
{
    /// <summary>No queue: nothing is ever sent.</summary>
    None = 0,
    /// <summary>The manager's own exec queue (LOCAL_AR).</summary>
    Local = 1,
    /// <summary>The queue towards agents (REMOTE_AR).</summary>
    Remote = 2,
}
