using Riposte.Alerts;
using Riposte.Config;

namespace Riposte.Matching;

/// <summary>
/// Decides, exactly as analysisd does, which active responses an alert triggers and where each one runs:
/// rule binding, the srcip/dstuser sanity checks, the white list, then routing by location.
/// </summary>
public sealed class ArMatcher
{
    private readonly WazuhConfig _config;
    private readonly ActiveResponseDefinition[] _responses;
    private readonly RuleBinder _binder;

    /// <summary>Precomputes the indexes for <paramref name="config"/>.</summary>
    public ArMatcher(WazuhConfig config)
    {
        _config = config;
        _responses = [.. config.ActiveResponses];
        _binder = new RuleBinder(_responses);
    }

    /// <summary>The configuration this matcher applies.</summary>
    public WazuhConfig Config => _config;

    /// <summary>Appends the actions <paramref name="alert"/> triggers to <paramref name="actions"/>, in configuration order.</summary>
    /// <returns>The number of actions added.</returns>
    public int Match(Alert alert, List<ArAction> actions)
    {
        var bound = _binder.Bind(alert.RuleIdNumber, alert.RuleLevel, alert.GroupString);
        if (bound.Length == 0 || CheckEvent(alert, out _) is not null)
        {
            // The sanity checks and the white list do not depend on the block: one failure stops them all.
            return 0;
        }

        var added = 0;
        foreach (var index in bound)
        {
            var response = _responses[index];
            if (Route(response, alert) is { } target)
            {
                actions.Add(new ArAction(response, target));
                added++;
            }
        }

        return added;
    }

    /// <summary>True when <paramref name="groups"/> (analysisd's comma-terminated group string) holds the group <c>riposte</c>.</summary>
    internal static bool IsRiposteEvent(string groups) =>
        groups.StartsWith(RiposteGroup, StringComparison.Ordinal) || groups.Contains("," + RiposteGroup, StringComparison.Ordinal);

    private const string RiposteGroup = "riposte,";

    /// <summary>Every block's fate for <paramref name="alert"/>: the actions it triggers and why the others did not fire.</summary>
    public AlertExplanation Explain(Alert alert)
    {
        var actions = new List<ArAction>();
        var skipped = new List<SkippedResponse>();
        var bound = new HashSet<int>(_binder.Bind(alert.RuleIdNumber, alert.RuleLevel, alert.GroupString));
        var activeIndex = 0;
        foreach (var block in _config.Blocks)
        {
            if (block.Status == ResponseStatus.Disabled)
            {
                skipped.Add(new SkippedResponse(block, SkipReason.Disabled, "the block is disabled (<disabled>yes</disabled>)"));
                continue;
            }

            if (block.Status == ResponseStatus.Dropped)
            {
                skipped.Add(new SkippedResponse(block, SkipReason.Disabled, "dropped: defined-agent with agent_id 0 (warning 1306)"));
                continue;
            }

            var index = activeIndex++;
            if (block.HasNoCriteria)
            {
                skipped.Add(new SkippedResponse(block, SkipReason.NoCriteria, "the block has no level, rules_group or rules_id"));
                continue;
            }

            if (!bound.Contains(index))
            {
                skipped.Add(new SkippedResponse(block, SkipReason.NotMatched, WhyNotBound(block, alert)));
                continue;
            }

            if (CheckEvent(alert, out var detail) is { } reason)
            {
                skipped.Add(new SkippedResponse(block, reason, detail!));
                continue;
            }

            if (Route(block, alert) is { } target)
            {
                actions.Add(new ArAction(block, target));
            }
            else
            {
                skipped.Add(new SkippedResponse(block, SkipReason.Disabled,
                    "its queue was reset by a later disabled block (Wazuh quirk Q1): analysisd sends nothing"));
            }
        }

        return new AlertExplanation(alert, actions, skipped);
    }

    private SkipReason? CheckEvent(Alert alert, out string? detail)
    {
        detail = null;
        if (IsRiposteEvent(alert.GroupString))
        {
            detail = "the alert is Riposte's own event (rule group 'riposte', from riposte-events.json): acting on it could loop";
            return SkipReason.OwnEvent;
        }

        if (alert.DstUser is { } user && !FieldSanity.IsSaneDstUser(user))
        {
            detail = $"dstuser '{user}' has characters analysisd refuses (warning 1272: possible logging attack)";
            return SkipReason.InvalidDstUser;
        }

        if (alert.SrcIp is { } ip)
        {
            if (!FieldSanity.IsSaneSrcIp(ip))
            {
                detail = $"srcip '{ip}' has characters analysisd refuses (warning 1271: possible logging attack)";
                return SkipReason.InvalidSrcIp;
            }

            if (_config.WhiteList.Contains(ip))
            {
                detail = $"srcip '{ip}' is white-listed";
                return SkipReason.WhiteList;
            }
        }

        return null;
    }

    /// <summary>analysisd's OS_Exec routing; null when the needed queue is off.</summary>
    private ArTarget? Route(ActiveResponseDefinition response, Alert alert)
    {
        var location = response.Location;
        var agent = alert.RoutingAgentId;
        if (location.HasFlag(ArLocation.Server) || (location.HasFlag(ArLocation.Local) && agent == "000"))
        {
            return _config.Queues.HasFlag(ArQueues.Local) ? ArTarget.Server : null;
        }

        if (!_config.Queues.HasFlag(ArQueues.Remote))
        {
            return null;
        }

        if (location.HasFlag(ArLocation.All))
        {
            return ArTarget.AllAgents;
        }

        if (location.HasFlag(ArLocation.DefinedAgent))
        {
            return ArTarget.Agent(response.AgentId);
        }

        return location.HasFlag(ArLocation.Local) ? ArTarget.Agent(CNumbers.Atoi(agent)) : null;
    }

    private static string WhyNotBound(ActiveResponseDefinition block, Alert alert)
    {
        if (alert.RuleLevel == 0)
        {
            return "rules of level 0 never trigger an active response";
        }

        var parts = new List<string>();
        if (block.RulesIdText is not null)
        {
            parts.Add($"rule {alert.RuleId} is not in rules_id ({string.Join(",", block.RulesIds)})");
        }

        var levelOk = block.Level == 0 || alert.RuleLevel >= block.Level;
        var groupOk = block.RulesGroup is null || RuleBinder.GroupMatches(block, alert.GroupString);
        if (block.Level != 0 && block.RulesGroup is not null)
        {
            parts.Add($"level {alert.RuleLevel} >= {block.Level} is {Yes(levelOk)} and rules_group '{block.RulesGroup}' matches is {Yes(groupOk)} (both are needed)");
        }
        else if (block.Level != 0)
        {
            parts.Add($"level {alert.RuleLevel} is below {block.Level}");
        }
        else if (block.RulesGroup is not null)
        {
            parts.Add($"rules_group '{block.RulesGroup}' does not match '{alert.GroupString}'");
        }

        return string.Join("; ", parts);

        static string Yes(bool b) => b ? "true" : "false";
    }
}
