using System.Net;
using Riposte.Config.Settings;
using Riposte.Matching;
using Riposte.Sdk;

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

    /// <summary>
    /// Programs that act on the alert's address only (Wazuh's stock firewall programs and Riposte's own): the user name
    /// is not checked for them, so an attacker-chosen user name (<c>root</c>, <c>-x</c>) cannot keep an address unblocked.
    /// </summary>
    public static readonly IReadOnlySet<string> AddressPrograms = new HashSet<string>(StringComparer.Ordinal)
    {
        "firewall-drop", "default-firewall-drop", "host-deny", "route-null", "netsh", "ipfw", "pf", "npf", "firewalld-drop",
        "nft-drop", "ipset-drop",
    };

    /// <summary>Programs that act on the alert's account: <c>root</c> is refused for them, as Wazuh's helper library does.</summary>
    public static readonly IReadOnlySet<string> AccountPrograms = new HashSet<string>(StringComparer.Ordinal) { "disable-account" };

    /// <summary>Why a blocking program must not act on <paramref name="target"/>, or null (the user name is not checked).</summary>
    public string? WhyRefused(string program, string? target, ResponsePolicy policy) => WhyRefused(program, target, null, policy);

    /// <summary>
    /// Why <paramref name="program"/> must not act on this message's address <paramref name="target"/> (the helper
    /// library's <c>get_srcip_from_json</c> value) or user name <paramref name="user"/> (<c>data.dstuser</c>), or null.
    /// A value that is present but invalid is refused, not treated as absent as Wazuh's helper library does: a program
    /// that does not use that library (a custom script) would act on it.
    /// </summary>
    public string? WhyRefused(string program, string? target, string? user, ResponsePolicy policy)
    {
        var name = ProgramName(program);
        if (NonBlockingPrograms.Contains(name))
        {
            return null;
        }

        if (target is not null && WazuhValidation.WhyNotTargetAddress(target) is { } notAddress)
        {
            return $"the address {DisplayText.Quote(target)} {notAddress}";
        }

        if (user is not null && !AddressPrograms.Contains(name) && WhyUserRefused(name, user) is { } notUser)
        {
            return $"the user name {DisplayText.Quote(user)} {notUser}";
        }

        return target is null ? null : WhyProtected(target, policy);
    }

    private static string? WhyUserRefused(string program, string user)
    {
        var account = AccountPrograms.Contains(program);

        // A program that does not act on accounts may see an empty dstuser; one that does has nothing to act on.
        return !account && user.Length == 0 ? null : WazuhValidation.WhyNotAcceptedUsername(user, allowRoot: !account);
    }

    private string? WhyProtected(string target, ResponsePolicy policy)
    {
        var address = IPAddress.Parse(target);
        var canonical = ProtectedAddresses.Spellings(address);
        if (_whiteList is not null && (_whiteList.Contains(target) || canonical.Any(a => _whiteList.Contains(a.ToString()))))
        {
            return $"{target} is in Wazuh's white list";
        }

        var why = _protected?.WhyProtected(address, policy.Allowlist)
            ?? (policy.Allowlist.Any(n => canonical.Any(n.Contains)) ? "in this response's allowlist" : null);
        return why is null ? null : $"{target} is {why}";
    }

    /// <summary>The program's file name without a Windows <c>.exe</c>, as the sets above name it.</summary>
    private static string ProgramName(string program)
    {
        var name = Path.GetFileName(program);
        return name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
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
