namespace Riposte.Backends;

/// <summary>A backend that records every batch; <see cref="Gate"/>, when set, holds ApplyAsync until it completes.</summary>
internal sealed class RecordingBackend : IBlockBackend
{
    private readonly Lock _lock = new();

    public List<IReadOnlyList<BlockChange>> Batches { get; } = [];

    public TaskCompletionSource? Gate { get; set; }

    public Exception? Failure { get; set; }

    public int BatchCount
    {
        get
        {
            lock (_lock)
            {
                return Batches.Count;
            }
        }
    }

    public ValueTask EnsureReadyAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public async ValueTask ApplyAsync(IReadOnlyList<BlockChange> changes, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Batches.Add([.. changes]);
        }

        if (Gate is { } gate)
        {
            await gate.Task;
        }

        if (Failure is { } failure)
        {
            throw failure;
        }
    }

    public ValueTask<IReadOnlySet<string>> ListAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlySet<string>>(new HashSet<string>());
}

/// <summary>
/// A block set in memory with nft's interval rules: elements never overlap (a covered add is dropped, a wider add
/// replaces the narrower ones), removes of absent elements are ignored. <see cref="Wipe"/> plays <c>nft flush ruleset</c>.
/// </summary>
internal sealed class MemoryBackend : IBlockBackend
{
    public Dictionary<BlockTarget, TimeSpan?> Elements { get; } = [];

    public bool Ready { get; private set; }

    public int EnsureCalls { get; private set; }

    public int ApplyCalls { get; private set; }

    public void Wipe()
    {
        Elements.Clear();
        Ready = false;
    }

    public ValueTask EnsureReadyAsync(CancellationToken cancellationToken)
    {
        EnsureCalls++;
        Ready = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask ApplyAsync(IReadOnlyList<BlockChange> changes, CancellationToken cancellationToken)
    {
        ApplyCalls++;
        if (!Ready)
        {
            throw new BlockBackendException("table missing");
        }

        foreach (var change in BlockChange.Coalesce(changes).OrderBy(c => c.Action == BlockAction.Add))
        {
            if (change.Action == BlockAction.Remove)
            {
                Elements.Remove(change.Target);
            }
            else if (!Elements.Keys.Any(e => !e.Equals(change.Target) && e.Contains(change.Target)))
            {
                foreach (var narrower in Elements.Keys.Where(change.Target.Contains).ToList())
                {
                    Elements.Remove(narrower);
                }

                Elements[change.Target] = change.KernelTimeout;
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlySet<string>> ListAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlySet<string>>(Elements.Keys.Select(t => t.Value).ToHashSet());
}

/// <summary>Counts ApplyAsync calls on the way to a real backend.</summary>
internal sealed class CountingBackend(IBlockBackend inner) : IBlockBackend
{
    private int _applies;

    public int Applies => Volatile.Read(ref _applies);

    public ValueTask EnsureReadyAsync(CancellationToken cancellationToken) => inner.EnsureReadyAsync(cancellationToken);

    public ValueTask ApplyAsync(IReadOnlyList<BlockChange> changes, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _applies);
        return inner.ApplyAsync(changes, cancellationToken);
    }

    public ValueTask<IReadOnlySet<string>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);
}
