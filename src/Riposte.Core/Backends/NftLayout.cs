using System.Globalization;
using System.Text;

namespace Riposte.Backends;

/// <summary>
/// The nftables objects Riposte's nft blocks live in, shared with the <c>nft-drop</c> program so that the in-process
/// backend and the program are interchangeable (the program's <c>NftDrop</c> in Riposte.Programs defines the same
/// objects): table <c>inet riposte</c>, interval+timeout sets <c>blocked4</c> and <c>blocked6</c> (1 000 000 elements:
/// far beyond the 65 535 an nft set gets when no size is given), and base chains on the input and forward hooks
/// (priority -10, before the usual filter chains) dropping their members' packets.
/// </summary>
public static class NftLayout
{
    /// <summary>The table family.</summary>
    public const string Family = "inet";

    /// <summary>The table name.</summary>
    public const string Table = "riposte";

    /// <summary>The IPv4 set.</summary>
    public const string Set4 = "blocked4";

    /// <summary>The IPv6 set.</summary>
    public const string Set6 = "blocked6";

    /// <summary>Elements each set can hold.</summary>
    public const int SetSize = 1_000_000;

    /// <summary>The base chains, one per hook, with the same name as their hook.</summary>
    public static readonly IReadOnlyList<string> Chains = ["input", "forward"];

    /// <summary>The set holding targets of this family.</summary>
    public static string SetFor(BlockTarget target) => target.IsIPv6 ? Set6 : Set4;

    /// <summary>
    /// The nft script that creates the layout when it is missing and leaves the elements of existing sets alone. The
    /// chains are flushed and their two rules added again in the same transaction, so running it twice never
    /// duplicates a rule and a rule someone deleted comes back, with no moment where the drop rules are missing.
    /// </summary>
    public static string EnsureScript(int setSize = SetSize)
    {
        var size = setSize.ToString(CultureInfo.InvariantCulture);
        var script = new StringBuilder();
        script.Append(CultureInfo.InvariantCulture, $"table {Family} {Table} {{\n");
        script.Append(CultureInfo.InvariantCulture, $"\tset {Set4} {{ type ipv4_addr; flags interval, timeout; size {size}; }}\n");
        script.Append(CultureInfo.InvariantCulture, $"\tset {Set6} {{ type ipv6_addr; flags interval, timeout; size {size}; }}\n");
        foreach (var chain in Chains)
        {
            script.Append(CultureInfo.InvariantCulture, $"\tchain {chain} {{ type filter hook {chain} priority -10; policy accept; }}\n");
        }

        script.Append("}\n");
        foreach (var chain in Chains)
        {
            script.Append(CultureInfo.InvariantCulture, $"flush chain {Family} {Table} {chain}\n");
            script.Append(CultureInfo.InvariantCulture, $"add rule {Family} {Table} {chain} ip saddr @{Set4} drop\n");
            script.Append(CultureInfo.InvariantCulture, $"add rule {Family} {Table} {chain} ip6 saddr @{Set6} drop\n");
        }

        return script.ToString();
    }
}
