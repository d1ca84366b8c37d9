namespace Riposte.Backends;

/// <summary>Whether a change puts a target into the kernel's block set or takes it out.</summary>
public enum BlockAction
{
    /// <summary>Block the target (idempotent: adding what is already there is not an error).</summary>
    Add,

    /// <summary>Unblock the target (idempotent: removing what is already gone is not an error).</summary>
    Remove,
}

/// <summary>
/// One change to the kernel's block set. <paramref name="KernelTimeout"/> (adds only) is a backstop: the kernel drops
/// the element by itself after that long, so a block never outlives a Riposte that died without removing it. Riposte's
/// own expiry stays the primary mechanism; backends cap the backstop (see <see cref="MaxKernelTimeout"/>) and treat
/// null or a non-positive value as "no kernel timeout".
/// </summary>
/// <param name="Action">Add or remove.</param>
/// <param name="Target">The address, network or range.</param>
/// <param name="KernelTimeout">The kernel-side expiry of an add; ignored for a remove.</param>
public sealed record BlockChange(BlockAction Action, BlockTarget Target, TimeSpan? KernelTimeout = null)
{
    /// <summary>
    /// The longest kernel timeout any backend sets: ipset's per-element limit (2 147 483 s, about 24.8 days), used for
    /// nft as well so both backends behave the same and no kernel's timeout arithmetic is ever near its limits.
    /// </summary>
    public static readonly TimeSpan MaxKernelTimeout = TimeSpan.FromSeconds(2_147_483);

    /// <summary>An add of <paramref name="target"/> (parsed with <see cref="BlockTarget.Parse"/>).</summary>
    public static BlockChange Add(string target, TimeSpan? kernelTimeout = null) => new(BlockAction.Add, BlockTarget.Parse(target), kernelTimeout);

    /// <summary>A remove of <paramref name="target"/> (parsed with <see cref="BlockTarget.Parse"/>).</summary>
    public static BlockChange Remove(string target) => new(BlockAction.Remove, BlockTarget.Parse(target));

    /// <summary>The kernel timeout to program: null for none, otherwise at least one second and at most <paramref name="cap"/>.</summary>
    internal TimeSpan? EffectiveTimeout(TimeSpan cap)
    {
        if (Action != BlockAction.Add || KernelTimeout is not { } timeout || timeout <= TimeSpan.Zero)
        {
            return null;
        }

        // Whole seconds, rounded up: ipset counts in seconds, and a backstop must never fire before the block's end.
        var seconds = Math.Ceiling(timeout.TotalSeconds);
        return TimeSpan.FromSeconds(Math.Min(seconds, cap.TotalSeconds));
    }

    /// <summary>
    /// The changes that matter, one per target: the last change for a target wins (an add then a remove is a remove),
    /// in the order of those last changes.
    /// </summary>
    internal static List<BlockChange> Coalesce(IReadOnlyList<BlockChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var last = new Dictionary<BlockTarget, int>(changes.Count);
        for (var i = 0; i < changes.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(changes[i], nameof(changes));
            last[changes[i].Target] = i;
        }

        var result = new List<BlockChange>(last.Count);
        for (var i = 0; i < changes.Count; i++)
        {
            if (last[changes[i].Target] == i)
            {
                result.Add(changes[i]);
            }
        }

        return result;
    }
}
