using System.Net;
using Riposte.Config.Settings;
using Riposte.Matching;

namespace Riposte.Safety;

/// <summary>
/// The checks made at the moment a response would act (not only when it was decided): protected addresses, the
/// white list, dry run, and the cap on new blocks per minute.
/// </summary>
public sealed class EnforcementGuard
{
    /// <summary>Programs that notify or restart rather than block: the address rails do not apply to them.</summary>
    public static readonly IReadOnlySet<string> NonBlockingPrograms = new HashSet<string>(StringComparer.Ordinal) { "webhook", "restart-service", "wazuh-slack" };

    private readonly ProtectedAddresses? _protected;
    private readonly WhiteList? _whiteList;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Queue<DateTimeOffset>> _recentBlocks = new(StringComparer.Ordinal);

    /// <summary>Creates a guard; null parts are not checked.</summary>
    public EnforcementGuard(ProtectedAddresses? protectedAddresses, WhiteList? whiteList, TimeProvider timeProvider)
    {
        _protected = protectedAddresses;
        _whiteList = whiteList;
        _time = timeProvider;
    }

    /// <summary>Why a blocking program must not act on <paramref name="target"/>, or null.</summary>
    public string? WhyRefused(string program, string? target, ResponsePolicy policy)
    {
        if (target is null || NonBlockingPrograms.Contains(Path.GetFileName(program)))
        {
            return null;
        }

        if (_whiteList is not null && _whiteList.Contains(target))
        {
            return $"{target} is in Wazuh's white list";
        }

        if (!IPAddress.TryParse(WhiteList.StripMappedPrefix(target), out var address))
        {
            return null;
        }

        var why = _protected?.WhyProtected(address, policy.Allowlist)
            ?? (policy.Allowlist.Any(n => n.Contains(address)) ? "in this response's allowlist" : null);
        return why is null ? null : $"{target} is {why}";
    }

    /// <summary>Counts a new block for <paramref name="arName"/>; false when the per-minute cap is reached.</summary>
    public bool TryTakeBlock(string arName, ResponsePolicy policy)
    {
        if (policy.MaxNewPerMinute <= 0)
        {
            return true;
        }

        var now = _time.GetUtcNow();
        lock (_recentBlocks)
        {
            if (!_recentBlocks.TryGetValue(arName, out var recent))
            {
                _recentBlocks[arName] = recent = new Queue<DateTimeOffset>();
            }

            while (recent.Count > 0 && now - recent.Peek() >= TimeSpan.FromMinutes(1))
            {
                recent.Dequeue();
            }

            if (recent.Count >= policy.MaxNewPerMinute)
            {
                return false;
            }

            recent.Enqueue(now);
            return true;
        }
    }
}
