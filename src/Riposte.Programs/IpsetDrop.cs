using System.Globalization;
using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>
/// <c>ipset-drop</c>: blocks through an ipset (one hash lookup per packet) and a single iptables rule, for hosts that
/// keep iptables. Sets <c>riposte4</c> (<c>hash:net family inet</c>) and <c>riposte6</c> (<c>family inet6</c>) are created
/// with <c>timeout 0</c> (timeouts allowed, none by default) and <c>maxelem 1000000</c> (the default 65536 rejects adds
/// once full); the rule <c>-I INPUT -m set --match-set riposte4 src -j DROP</c> (ip6tables for riposte6) is inserted only
/// when <c>-C</c> does not find it. Add: <c>ipset add riposte4 IP -exist</c>, with <c>timeout S</c> when
/// <c>extra_args</c> has <c>timeout=S</c> and S fits the kernel's limit (2147483 s; a longer block gets no element
/// timeout and is expired by Riposte). Delete: <c>ipset del riposte4 IP -exist</c>. CIDR keys are accepted.
/// </summary>
internal sealed class IpsetDrop : ResponseProgram
{
    /// <summary>The largest per-element timeout the kernel accepts.</summary>
    public const long MaxElementTimeoutSeconds = 2_147_483;

    /// <summary>Elements each set can hold.</summary>
    public const int MaxElements = 1_000_000;

    public override string Name => "ipset-drop";

    public override IReadOnlyList<string> GetKeys(ResponseContext context)
    {
        _ = Timeout(context);
        return [NftDrop.Network(context).Raw];
    }

    /// <summary>The set of a network's family.</summary>
    public static string SetName(IpNetwork network) => network.Version == 4 ? "riposte4" : "riposte6";

    /// <summary><c>ipset create ... -exist</c>.</summary>
    public static string[] CreateArguments(IpNetwork network) =>
        ["create", SetName(network), "hash:net", "family", network.Version == 4 ? "inet" : "inet6", "timeout", "0", "maxelem", MaxElements.ToString(CultureInfo.InvariantCulture), "-exist"];

    /// <summary>The iptables rule (<paramref name="operation"/> <c>-C</c> or <c>-I</c>).</summary>
    public static string[] RuleArguments(string operation, IpNetwork network) =>
        ["-w", operation, "INPUT", "-m", "set", "--match-set", SetName(network), "src", "-j", "DROP"];

    /// <summary><c>ipset add ... -exist</c>, with the element timeout when one applies.</summary>
    public static string[] AddArguments(IpNetwork network, long? timeoutSeconds) => timeoutSeconds is { } seconds and <= MaxElementTimeoutSeconds
        ? ["add", SetName(network), network.ToString(), "timeout", seconds.ToString(CultureInfo.InvariantCulture), "-exist"]
        : ["add", SetName(network), network.ToString(), "-exist"];

    /// <summary><c>ipset del ... -exist</c>.</summary>
    public static string[] DeleteArguments(IpNetwork network) => ["del", SetName(network), network.ToString(), "-exist"];

    public override async Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var network = NftDrop.Network(context).Value;
        var timeout = Timeout(context);
        var ipset = context.RequireTool("ipset");
        var iptables = context.RequireTool(network.Version == 4 ? "iptables" : "ip6tables", label: "iptables");
        using var held = await context.LockAsync("ipset-drop", cancellationToken).ConfigureAwait(false);

        var create = await Tools.RunAsync(ipset, CreateArguments(network), cancellationToken).ConfigureAwait(false);
        if (!create.Succeeded)
        {
            return Tools.Failed(create);
        }

        var check = await Tools.RunAsync(iptables, RuleArguments("-C", network), cancellationToken).ConfigureAwait(false);
        if (!check.Succeeded)
        {
            var insert = await Tools.RunAsync(iptables, RuleArguments("-I", network), cancellationToken).ConfigureAwait(false);
            if (!insert.Succeeded)
            {
                return Tools.Failed(insert);
            }
        }

        var add = await Tools.RunAsync(ipset, AddArguments(network, timeout), cancellationToken).ConfigureAwait(false);
        return add.Succeeded ? ResponseOutcome.Ended : Tools.Failed(add);
    }

    public override async Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var network = NftDrop.Network(context).Value;
        var ipset = context.RequireTool("ipset");
        var delete = await Tools.RunAsync(ipset, DeleteArguments(network), cancellationToken).ConfigureAwait(false);
        if (delete.Succeeded)
        {
            return ResponseOutcome.Ended;
        }

        return Tools.Says(delete, "does not exist")
            ? ResponseOutcome.EndedWith($"ipset: set {SetName(network)} does not exist")
            : Tools.Failed(delete);
    }

    /// <summary>The backstop timeout from <c>extra_args</c> (<c>timeout=S</c>), checked before the handshake.</summary>
    private static long? Timeout(ResponseContext context) =>
        ExtraArguments.Parse(context.Message.ExtraArgs, allowValues: false, "timeout").Seconds("timeout", 1, NftDrop.MaxTimeoutSeconds);
}
