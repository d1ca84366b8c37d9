using System.Globalization;
using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>
/// <c>nft-drop</c>: blocks through nftables sets instead of one rule per address, so a block costs one set element
/// (O(log n) per packet, one netlink transaction per change) however many addresses are blocked.
/// <para>
/// One table <c>inet riposte</c> holds both families: an <c>inet</c> base chain sees IPv4 and IPv6, so one input and one
/// forward chain cover both, the whole feature is created in one transaction, listed with one command and removed with
/// one <c>nft delete table inet riposte</c>, and it never touches tables other tools own (firewalld, docker,
/// iptables-nft). Sets <c>blocked4</c>/<c>blocked6</c> have <c>flags interval, timeout</c> (CIDR keys and per-element
/// backstop timeouts) and <c>size 1000000</c> (the default 65535 silently stops matching once full). The chains hook at
/// priority -10 (before the usual filter chains) and drop <c>ip saddr @blocked4</c> and <c>ip6 saddr @blocked6</c>.
/// Everything is created on first use, in the same <c>nft -f -</c> transaction as the first element, idempotently
/// (chains are flushed and refilled inside the transaction, so concurrent first uses cannot duplicate rules).
/// </para>
/// <para>
/// Add: <c>add element inet riposte blocked4 { IP }</c>; with <c>extra_args</c> <c>timeout=S</c> the element gets
/// <c>timeout Ss</c> as a kernel-side backstop (Riposte's state still owns the expiry), written as add + delete + add in
/// one transaction so that an existing element's timer is reset atomically also on kernels before 6.12. An address
/// already inside a blocked network is left as it is. Delete: <c>delete element ...</c>; an element that does not
/// exist is not an error.
/// </para>
/// </summary>
internal sealed class NftDrop : ResponseProgram
{
    /// <summary>The table every Riposte nftables object lives in.</summary>
    public const string Table = "inet riposte";

    /// <summary>Elements each set can hold.</summary>
    public const int SetSize = 1_000_000;

    /// <summary>The longest backstop timeout accepted (ten years).</summary>
    public const long MaxTimeoutSeconds = 315_360_000;

    public override string Name => "nft-drop";

    /// <summary>The transaction that creates (or repairs) the table, its sets and chains; idempotent.</summary>
    public static string SetupScript { get; } = string.Create(CultureInfo.InvariantCulture, $$"""
        add table {{Table}}
        add set {{Table}} blocked4 { type ipv4_addr; flags interval, timeout; size {{SetSize}}; }
        add set {{Table}} blocked6 { type ipv6_addr; flags interval, timeout; size {{SetSize}}; }
        add chain {{Table}} input { type filter hook input priority -10; policy accept; }
        add chain {{Table}} forward { type filter hook forward priority -10; policy accept; }
        flush chain {{Table}} input
        flush chain {{Table}} forward
        add rule {{Table}} input ip saddr @blocked4 drop
        add rule {{Table}} input ip6 saddr @blocked6 drop
        add rule {{Table}} forward ip saddr @blocked4 drop
        add rule {{Table}} forward ip6 saddr @blocked6 drop

        """);

    public override IReadOnlyList<string> GetKeys(ResponseContext context)
    {
        _ = Timeout(context);
        return [Network(context).Raw];
    }

    /// <summary>The set of a network's family.</summary>
    public static string SetName(IpNetwork network) => network.Version == 4 ? "blocked4" : "blocked6";

    /// <summary>The add transaction (without the setup part).</summary>
    public static string AddScript(IpNetwork network, long? timeoutSeconds)
    {
        var element = $"add element {Table} {SetName(network)} {{ {network} }}\n";
        return timeoutSeconds is { } seconds
            ? element + $"delete element {Table} {SetName(network)} {{ {network} }}\n" +
              string.Create(CultureInfo.InvariantCulture, $"add element {Table} {SetName(network)} {{ {network} timeout {seconds}s }}\n")
            : element;
    }

    /// <summary>The delete transaction.</summary>
    public static string DeleteScript(IpNetwork network) => $"delete element {Table} {SetName(network)} {{ {network} }}\n";

    public override async Task<ResponseOutcome> AddAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var network = Network(context).Value;
        var timeout = Timeout(context);
        var nft = context.RequireTool("nft");
        var script = AddScript(network, timeout);
        var result = await RunScriptAsync(nft, script, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && Tools.Says(result, "No such file or directory"))
        {
            result = await RunScriptAsync(nft, SetupScript + script, cancellationToken).ConfigureAwait(false);
        }

        if (result.Succeeded)
        {
            return ResponseOutcome.Ended;
        }

        if (Tools.Says(result, "interval overlaps", "conflicting intervals", "File exists"))
        {
            // Networks either nest or are disjoint: this one is covered if the set finds an element holding it.
            var covering = await Tools.RunAsync(nft, ["get", "element", "inet", "riposte", SetName(network), "{", network.ToString(), "}"], cancellationToken).ConfigureAwait(false);
            if (covering.Succeeded)
            {
                return ResponseOutcome.EndedWith($"nft: {network} is already covered by an element of {SetName(network)}");
            }

            return ResponseOutcome.Failed($"nft: {network} overlaps narrower elements of {SetName(network)}; delete them first", 1);
        }

        return Tools.Failed(result);
    }

    public override async Task<ResponseOutcome> DeleteAsync(ResponseContext context, CancellationToken cancellationToken)
    {
        var network = Network(context).Value;
        var nft = context.RequireTool("nft");
        var result = await RunScriptAsync(nft, DeleteScript(network), cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return ResponseOutcome.Ended;
        }

        return Tools.Says(result, "element does not exist", "No such file or directory")
            ? ResponseOutcome.EndedWith($"nft: {network} was not in {SetName(network)}")
            : Tools.Failed(result);
    }

    private static Task<ToolResult> RunScriptAsync(ExternalTool nft, string script, CancellationToken cancellationToken) =>
        Tools.RunAsync(nft, ["-f", "-"], cancellationToken, standardInput: script);

    /// <summary>The backstop timeout from <c>extra_args</c> (<c>timeout=S</c>), checked before the handshake.</summary>
    private static long? Timeout(ResponseContext context) =>
        ExtraArguments.Parse(context.Message.ExtraArgs, allowValues: false, "timeout").Seconds("timeout", 1, MaxTimeoutSeconds);

    /// <summary>The source as an address or CIDR network (set programs accept both), or Wazuh's srcip error.</summary>
    internal static (string Raw, IpNetwork Value) Network(ResponseContext context)
    {
        var raw = context.Message.RawSourceIp;
        return IpNetwork.TryParse(raw, out var network) ? (raw!, network) : throw new ResponseException(WazuhMessages.SourceIpMissing);
    }
}
