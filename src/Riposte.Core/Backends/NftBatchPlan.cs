namespace Riposte.Backends;

/// <summary>An element to write: its target and, for an add, its kernel timeout.</summary>
internal sealed record NftWriteElement(BlockTarget Target, TimeSpan? Timeout);

/// <summary>
/// One nft transaction, in this order: delete <see cref="Removes"/>; for each of <see cref="Refreshes"/> add it without
/// a timeout (so it exists) and delete it; add <see cref="Adds"/> with their timeouts. The middle step is how a
/// timeout is reset on kernels before 6.12, which ignore the timeout of an add for an element already there (the
/// <c>nft-drop</c> program does the same); inside one transaction no packet ever sees the element missing. Each
/// list is sorted by address (the order nft itself sends intervals in).
/// </summary>
internal sealed record NftBatch(IReadOnlyList<NftWriteElement> Removes, IReadOnlyList<NftWriteElement> Adds, IReadOnlyList<NftWriteElement> Refreshes)
{
    public NftBatch(IReadOnlyList<NftWriteElement> removes, IReadOnlyList<NftWriteElement> adds)
        : this(removes, adds, [])
    {
    }

    public bool IsEmpty => Removes.Count == 0 && Adds.Count == 0;

    public int Count => Removes.Count + Adds.Count;
}

/// <summary>
/// Turns coalesced changes into an nft transaction that the kernel cannot refuse. An interval set refuses two things,
/// and either refusal aborts the whole transaction (the point of a transaction, and the risk of a big batch: one
/// bad element would cost a thousand blocks):
/// <list type="bullet">
/// <item>removing an element that is not there exactly (already gone, expired by its kernel timeout, wiped by
/// <c>nft flush ruleset</c>, or only covered by a wider element): such removes are dropped, as there is nothing to do;</item>
/// <item>adding an element that overlaps another (<c>10.0.0.5</c> while <c>10.0.0.0/24</c> is there, or both in one
/// batch): an add already covered by a wider element is dropped (the address is blocked), a wider add replaces the
/// narrower elements it covers (removed in the same transaction), and an add that only partly overlaps a range is
/// dropped and reported.</item>
/// </list>
/// Without the kernel's listing (<c>kernel</c> null, the optimistic first attempt) only the batch's own
/// overlaps are resolved and every remove is assumed present; when the kernel then refuses, the backend lists the set
/// and plans again with the listing.
/// </summary>
internal sealed record NftPlan(NftBatch Batch, IReadOnlyList<string> Notes)
{
    /// <summary>IPv4 before IPv6, then by first address; for the same start, the wider target first.</summary>
    private static readonly Comparer<BlockTarget> ByStart = Comparer<BlockTarget>.Create((a, b) =>
        a.IsIPv6 != b.IsIPv6 ? a.IsIPv6.CompareTo(b.IsIPv6) : a.First != b.First ? a.First.CompareTo(b.First) : b.Last.CompareTo(a.Last));

    /// <summary>
    /// Plans <paramref name="changes"/> (already coalesced: one change per target) against <paramref name="kernel"/>;
    /// with <paramref name="replaceTimedAdds"/> every add carrying a timeout is also a refresh (see <see cref="NftBatch"/>).
    /// </summary>
    public static NftPlan Create(IReadOnlyList<BlockChange> changes, NftListing? kernel, TimeSpan maxTimeout, bool replaceTimedAdds = false)
    {
        var notes = new List<string>();
        var present = kernel is null ? null : kernel.Elements.Select(e => e.Target).ToHashSet();
        var removes = new List<BlockTarget>();
        var adds = new List<BlockChange>();
        foreach (var change in changes)
        {
            if (change.Action == BlockAction.Add)
            {
                adds.Add(change);
            }
            else if (present is null || present.Contains(change.Target))
            {
                removes.Add(change.Target);
            }
        }

        // The batch's own adds first: sorted by start with the wider first, a sweep keeps each add that does not fall
        // into the one kept before it, which leaves them disjoint.
        adds.Sort((a, b) => ByStart.Compare(a.Target, b.Target));
        var disjoint = new List<BlockChange>(adds.Count);
        foreach (var add in adds)
        {
            if (disjoint.Count > 0 && disjoint[^1].Target is var kept && kept.IsIPv6 == add.Target.IsIPv6 && add.Target.First <= kept.Last)
            {
                notes.Add(add.Target.Last <= kept.Last
                    ? $"{add.Target} is already blocked by {kept}; not added"
                    : $"{add.Target} partly overlaps {kept}; not added");
                continue;
            }

            disjoint.Add(add);
        }

        // Then against what stays in the kernel (disjoint too, as the kernel keeps it): a binary search finds the
        // element starting at or before each add (the only one that can contain it) and those starting inside it.
        var accepted = disjoint;
        if (present is not null)
        {
            var removed = removes.ToHashSet();
            var staying = present.Where(t => !removed.Contains(t)).Order(ByStart).ToArray();
            accepted = [];
            foreach (var add in disjoint)
            {
                var target = add.Target;
                var index = Floor(staying, target);
                if (index >= 0 && staying[index] is var before && before.IsIPv6 == target.IsIPv6 && before.Last >= target.First)
                {
                    if (before.Equals(target))
                    {
                        accepted.Add(add); // already there: written again, which refreshes its timeout on kernels >= 6.12
                    }
                    else
                    {
                        notes.Add(before.Contains(target) ? $"{target} is already blocked by {before}; not added" : $"{target} partly overlaps {before}; not added");
                    }

                    continue;
                }

                var inside = new List<BlockTarget>();
                for (var i = index + 1; i < staying.Length && staying[i].IsIPv6 == target.IsIPv6 && staying[i].First <= target.Last; i++)
                {
                    inside.Add(staying[i]);
                }

                if (inside.Find(e => !target.Contains(e)) is { } partial)
                {
                    notes.Add($"{target} partly overlaps {partial}; not added");
                    continue;
                }

                foreach (var narrower in inside)
                {
                    removes.Add(narrower);
                    notes.Add($"{narrower} is replaced by the wider {target}");
                }

                accepted.Add(add);
            }
        }

        var adding = accepted.Select(a => new NftWriteElement(a.Target, a.EffectiveTimeout(maxTimeout))).ToList();
        var batch = new NftBatch(
            [.. removes.Order(ByStart).Select(t => new NftWriteElement(t, null))],
            adding,
            replaceTimedAdds ? [.. adding.Where(a => a.Timeout is not null).Select(a => a with { Timeout = null })] : []);
        return new NftPlan(batch, notes);
    }

    /// <summary>The index of the last element of <paramref name="sorted"/> starting at or before <paramref name="target"/> (-1 if none).</summary>
    private static int Floor(BlockTarget[] sorted, BlockTarget target)
    {
        int low = 0, high = sorted.Length - 1, found = -1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var element = sorted[middle];
            var atOrBefore = element.IsIPv6 != target.IsIPv6 ? !element.IsIPv6 : element.First <= target.First;
            if (atOrBefore)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }
}
