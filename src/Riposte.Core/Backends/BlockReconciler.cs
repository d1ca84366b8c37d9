using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Riposte.Backends;

/// <summary>A block Riposte's state says must be in the kernel.</summary>
/// <param name="Target">Address, network or range, in any spelling <see cref="BlockTarget.Parse"/> accepts.</param>
/// <param name="KernelTimeout">The kernel backstop for a re-add (normally the entry's time left); null = none.</param>
public sealed record DesiredBlock(string Target, TimeSpan? KernelTimeout = null);

/// <summary>What a reconciliation found and repaired.</summary>
/// <param name="Added">Desired blocks that were missing from the kernel and were added (canonical text, sorted).</param>
/// <param name="Removed">Elements in the kernel that are no longer desired and were removed (canonical text, sorted).</param>
/// <param name="Invalid">Desired entries that are not addresses and were skipped.</param>
public sealed record ReconcileReport(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Invalid)
{
    /// <summary>How many blocks were re-added.</summary>
    public int AddedCount => Added.Count;

    /// <summary>How many elements were removed.</summary>
    public int RemovedCount => Removed.Count;

    /// <summary>True when the kernel already matched the desired set.</summary>
    public bool InSync => Added.Count == 0 && Removed.Count == 0;
}

/// <summary>
/// Makes the kernel's block set match Riposte's state: creates the table and sets if they are gone (an operator's
/// <c>nft flush ruleset</c>, a firewall reload), re-adds every desired block the kernel lost, and removes elements
/// nobody wants any more (a remove that was lost, a block whose entry was revoked while the kernel was unreachable).
/// The backend's sets belong to Riposte: everything in them is either desired or stale.
/// <para>
/// Addresses are compared in canonical form (<see cref="BlockTarget"/>: IPv6 compression, <c>/32</c> and <c>/128</c>
/// meaning the address). A desired block already covered by another desired element in the kernel (an address
/// inside a blocked network, which an nft interval set cannot hold twice) counts as present.
/// </para>
/// </summary>
public sealed class BlockReconciler
{
    private readonly IBlockBackend _backend;
    private readonly ILogger _logger;

    /// <summary>Creates the reconciler over <paramref name="backend"/>.</summary>
    public BlockReconciler(IBlockBackend backend, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Reconciles against <paramref name="desired"/> addresses (no kernel timeout on re-adds).</summary>
    public ValueTask<ReconcileReport> ReconcileAsync(IEnumerable<string> desired, CancellationToken cancellationToken) =>
        ReconcileAsync(desired.Select(d => new DesiredBlock(d)), cancellationToken);

    /// <summary>
    /// Reconciles against <paramref name="desired"/> (the keys of the active entries whose program the backend
    /// replaces) and applies the repair as one batch.
    /// </summary>
    /// <param name="desired">Every block that must be in the kernel.</param>
    /// <param name="cancellationToken">Stops before the repair is applied.</param>
    /// <param name="removeExtras">Remove kernel elements that are not desired (true by default).</param>
    public async ValueTask<ReconcileReport> ReconcileAsync(IEnumerable<DesiredBlock> desired, CancellationToken cancellationToken, bool removeExtras = true)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var wanted = new Dictionary<BlockTarget, TimeSpan?>();
        var invalid = new List<string>();
        foreach (var block in desired)
        {
            if (!BlockTarget.TryParse(block.Target, out var target))
            {
                invalid.Add(block.Target);
                continue;
            }

            // The same block from two entries: the longer backstop (none at all being the longest).
            wanted[target] = wanted.TryGetValue(target, out var other) ? Longer(other, block.KernelTimeout) : block.KernelTimeout;
        }

        await _backend.EnsureReadyAsync(cancellationToken);
        var listed = new HashSet<BlockTarget>();
        foreach (var element in await _backend.ListAsync(cancellationToken))
        {
            if (BlockTarget.TryParse(element, out var target))
            {
                listed.Add(target);
            }
        }

        var extras = removeExtras ? listed.Where(t => !wanted.ContainsKey(t)).ToList() : [];
        var keptInKernel = listed.Where(wanted.ContainsKey).OrderBy(t => t.IsIPv6).ThenBy(t => t.First).ToArray();
        var missing = wanted.Keys.Where(t => !listed.Contains(t) && !CoveredBy(keptInKernel, t)).ToList();

        var changes = new List<BlockChange>(extras.Count + missing.Count);
        changes.AddRange(extras.Select(t => new BlockChange(BlockAction.Remove, t)));
        changes.AddRange(missing.Select(t => new BlockChange(BlockAction.Add, t, wanted[t])));
        if (changes.Count > 0)
        {
            await _backend.ApplyAsync(changes, cancellationToken);
            Telemetry.RiposteMetrics.Reconciled(missing.Count, extras.Count);
            _logger.LogWarning("block set repaired: {Added} missing block(s) re-added, {Removed} stale element(s) removed", missing.Count, extras.Count);
        }

        if (invalid.Count > 0)
        {
            _logger.LogWarning("{Count} desired block(s) are not addresses and were skipped, e.g. {Example}", invalid.Count, invalid[0]);
        }

        return new ReconcileReport(
            [.. missing.Select(t => t.Value).Order(StringComparer.Ordinal)],
            [.. extras.Select(t => t.Value).Order(StringComparer.Ordinal)],
            invalid);
    }

    private static TimeSpan? Longer(TimeSpan? a, TimeSpan? b) => a is null || b is null ? null : a > b ? a : b;

    /// <summary>True when the element of <paramref name="sorted"/> starting at or before <paramref name="target"/> contains it.</summary>
    private static bool CoveredBy(BlockTarget[] sorted, BlockTarget target)
    {
        // nft elements never overlap, so only that one element can contain the target. ipset may hold nested
        // networks, where a wider one further back is not seen: the target is then added, which hash:net allows.
        int low = 0, high = sorted.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var element = sorted[middle];
            var atOrBefore = element.IsIPv6 != target.IsIPv6 ? !element.IsIPv6 : element.First <= target.First;
            if (atOrBefore)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return high >= 0 && !sorted[high].Equals(target) && sorted[high].Contains(target);
    }
}
