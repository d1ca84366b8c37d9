using Riposte.Matching;

namespace Riposte.Config;

/// <summary>The active-response part of one or more Wazuh <c>ossec.conf</c> files, with Wazuh's semantics applied.</summary>
public sealed class WazuhConfig
{
    /// <summary>Value of <c>origin.name</c> when <c>&lt;cluster&gt;&lt;node_name&gt;</c> is absent.</summary>
    public const string UndefinedNodeName = "undefined";

    /// <summary>Creates a configuration; normally produced by <see cref="OssecConfigReader"/>.</summary>
    public WazuhConfig(
        IReadOnlyList<CommandDefinition> commands,
        IReadOnlyList<ActiveResponseDefinition> blocks,
        WhiteList whiteList,
        string? nodeName,
        ArQueues queues,
        ExecdOptions execd)
    {
        Commands = commands;
        Blocks = blocks;
        ActiveResponses = [.. blocks.Where(b => b.Status == ResponseStatus.Active)];
        WhiteList = whiteList;
        NodeName = nodeName;
        Queues = queues;
        Execd = execd;
    }

    /// <summary>Every <c>&lt;command&gt;</c>, in document order (duplicates kept).</summary>
    public IReadOnlyList<CommandDefinition> Commands { get; }

    /// <summary>Every <c>&lt;active-response&gt;</c> block read without error, accepted or not, in document order.</summary>
    public IReadOnlyList<ActiveResponseDefinition> Blocks { get; }

    /// <summary>The accepted blocks, in document order: ar.conf order and execution order.</summary>
    public IReadOnlyList<ActiveResponseDefinition> ActiveResponses { get; }

    /// <summary><c>&lt;global&gt;&lt;white_list&gt;</c>.</summary>
    public WhiteList WhiteList { get; }

    /// <summary><c>&lt;cluster&gt;&lt;node_name&gt;</c>, or null.</summary>
    public string? NodeName { get; }

    /// <summary><c>origin.name</c> of analysisd messages.</summary>
    public string OriginName => NodeName ?? UndefinedNodeName;

    /// <summary>Queues left enabled after all blocks were read (a disabled block resets them: Wazuh quirk Q1).</summary>
    public ArQueues Queues { get; }

    /// <summary>Execd's own settings.</summary>
    public ExecdOptions Execd { get; }
}
