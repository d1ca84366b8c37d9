using System.Collections.Concurrent;
using Riposte.Config;

namespace Riposte.Matching;

/// <summary>
/// analysisd's <c>Rule_AddAR</c>: which accepted blocks bind to a rule, given its id, level and group string.
/// Wazuh binds once per rule at load time; Riposte sees rules only through alerts, so bindings are computed on
/// first sight of a (rule id, level, groups) triple and cached: an alert then costs one dictionary lookup.
/// </summary>
internal sealed class RuleBinder
{
    private const int MaxCachedRules = 65_536;

    private readonly ActiveResponseDefinition[] _responses;
    private readonly Dictionary<int, int[]> _byRuleId;
    private readonly int[] _byCriteria;
    private readonly ConcurrentDictionary<BindingKey, int[]> _cache = new();

    public RuleBinder(IReadOnlyList<ActiveResponseDefinition> responses)
    {
        _responses = [.. responses];
        var byRuleId = new Dictionary<int, List<int>>();
        var byCriteria = new List<int>();
        for (var i = 0; i < _responses.Length; i++)
        {
            var r = _responses[i];
            foreach (var id in r.RulesIds.Distinct())
            {
                if (!byRuleId.TryGetValue(id, out var list))
                {
                    byRuleId[id] = list = [];
                }

                list.Add(i);
            }

            if (r.Level != 0 || r.RulesGroup is not null)
            {
                byCriteria.Add(i);
            }
        }

        _byRuleId = byRuleId.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        _byCriteria = [.. byCriteria];
    }

    /// <summary>Indexes (into the accepted blocks, in configuration order) of the blocks bound to the rule.</summary>
    public int[] Bind(int ruleId, int level, string groups)
    {
        if (level == 0)
        {
            // Level-0 rules never trigger an active response.
            return [];
        }

        var key = new BindingKey(ruleId, level, groups);
        if (_cache.TryGetValue(key, out var bound))
        {
            return bound;
        }

        bound = Compute(ruleId, level, groups);
        if (_cache.Count >= MaxCachedRules)
        {
            _cache.Clear();
        }

        _cache[key] = bound;
        return bound;
    }

    private int[] Compute(int ruleId, int level, string groups)
    {
        _byRuleId.TryGetValue(ruleId, out var byId);
        if (_byCriteria.Length == 0)
        {
            return byId ?? [];
        }

        var marks = new bool[_responses.Length];
        if (byId is not null)
        {
            foreach (var i in byId)
            {
                marks[i] = true;
            }
        }

        foreach (var i in _byCriteria)
        {
            if (!marks[i] && MatchesCriteria(_responses[i], level, groups))
            {
                marks[i] = true;
            }
        }

        var result = new List<int>();
        for (var i = 0; i < marks.Length; i++)
        {
            if (marks[i])
            {
                result.Add(i);
            }
        }

        return [.. result];
    }

    /// <summary>Level and group are AND-ed when both are set (Wazuh 4.x code; the docs say OR).</summary>
    internal static bool MatchesCriteria(ActiveResponseDefinition r, int level, string groups)
    {
        if (r.Level != 0 && r.RulesGroup is not null)
        {
            return level >= r.Level && GroupMatches(r, groups);
        }

        return (r.Level != 0 && level >= r.Level) || (r.RulesGroup is not null && GroupMatches(r, groups));
    }

    internal static bool GroupMatches(ActiveResponseDefinition r, string groups) =>
        r.RulesGroupRegex is { } regex && regex.IsMatch(groups);

    private readonly record struct BindingKey(int RuleId, int Level, string Groups);
}
