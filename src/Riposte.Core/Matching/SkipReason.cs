namespace Riposte.Matching;

/// <summary>Why an <c>&lt;active-response&gt;</c> block did not fire for an alert.</summary>
public enum SkipReason
{
    /// <summary>The block is disabled, dropped (1306), or its queue was reset by a later disabled block (quirk Q1).</summary>
    Disabled,
    /// <summary>The block has no level, rules_group or rules_id.</summary>
    NoCriteria,
    /// <summary>The alert's rule does not satisfy the block's criteria.</summary>
    NotMatched,
    /// <summary>The alert's srcip is white-listed.</summary>
    WhiteList,
    /// <summary>srcip has characters outside <c>[a-zA-Z.:_0-9-]</c> (warning 1271).</summary>
    InvalidSrcIp,
    /// <summary>dstuser has characters outside <c>[a-zA-Z._0-9@?-]</c> (warning 1272).</summary>
    InvalidDstUser,
    /// <summary>
    /// The alert is about Riposte itself (its rule is in the <c>riposte</c> group of the shipped Wazuh rules): acting on it
    /// could answer a response's own outcome with another response, in a loop. Riposte's own rule; Wazuh has none.
    /// </summary>
    OwnEvent,
}

/// <summary>Names used on the wire (<c>riposte explain --format json</c>).</summary>
public static class SkipReasonNames
{
    /// <summary>The snake_case name, e.g. <c>white_list</c>.</summary>
    public static string ToName(this SkipReason reason) => reason switch
    {
        SkipReason.Disabled => "disabled",
        SkipReason.NoCriteria => "no_criteria",
        SkipReason.NotMatched => "not_matched",
        SkipReason.WhiteList => "white_list",
        SkipReason.InvalidSrcIp => "invalid_srcip",
        SkipReason.OwnEvent => "riposte_event",
        _ => "invalid_dstuser",
    };
}

/// <summary>A block that did not fire, with the reason and a human explanation.</summary>
/// <param name="Response">The block.</param>
/// <param name="Reason">The machine-readable reason.</param>
/// <param name="Detail">A sentence for people.</param>
public sealed record SkippedResponse(Config.ActiveResponseDefinition Response, SkipReason Reason, string Detail);
