namespace Riposte.Backends;

/// <summary>
/// A kernel block set Riposte drives in-process (nft set, ipset): whole batches of changes in one kernel
/// transaction instead of one program per address.
/// </summary>
public interface IBlockBackend
{
    /// <summary>
    /// Creates what the backend needs (table, sets, the rules that drop their members) when it is missing. Idempotent,
    /// and safe to call again after an operator wiped the ruleset.
    /// </summary>
    ValueTask EnsureReadyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="changes"/> as one batch. Adds are idempotent, removes of elements already gone are not
    /// errors, and for one target the last change in the list wins, so applying a batch again is always safe. On
    /// failure the call throws <see cref="BlockBackendException"/>; with nft nothing of the batch took effect (one
    /// kernel transaction), while ipset, which has no transactions, may have applied the changes before the failing one.
    /// </summary>
    ValueTask ApplyAsync(IReadOnlyList<BlockChange> changes, CancellationToken cancellationToken);

    /// <summary>The elements currently in the kernel, as canonical <see cref="BlockTarget.Value"/> strings (empty when nothing is set up).</summary>
    ValueTask<IReadOnlySet<string>> ListAsync(CancellationToken cancellationToken);
}
