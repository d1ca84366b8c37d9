using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Riposte.Backends.Netlink;

namespace Riposte.Backends;

/// <summary>How <see cref="NftSetBackend"/> sends its transactions to the kernel.</summary>
public enum NftWriteMode
{
    /// <summary>
    /// Straight over a netfilter netlink socket, one nfnetlink batch per transaction (no process). The default: nft
    /// 1.0.6's own delete of interval elements costs time proportional to the set's size for every element.
    /// </summary>
    Netlink,

    /// <summary>One <c>nft -f -</c> per transaction with the batch as a script on stdin.</summary>
    Script,
}

/// <summary>Options of <see cref="NftSetBackend"/>.</summary>
public sealed record NftSetOptions
{
    /// <summary>
    /// Run everything inside this network namespace (<c>ip netns</c> name, or a path such as <c>/proc/PID/ns/net</c>
    /// for the netlink socket); null = the host's. Tests and benchmarks use it so they never touch the host's ruleset.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>How transactions reach the kernel.</summary>
    public NftWriteMode WriteMode { get; init; } = NftWriteMode.Netlink;

    /// <summary>Cap of element timeouts (the kernel backstop); <see cref="BlockChange.MaxKernelTimeout"/> by default.</summary>
    public TimeSpan MaxKernelTimeout { get; init; } = BlockChange.MaxKernelTimeout;

    /// <summary>Elements per set when Riposte creates the sets.</summary>
    public int SetSize { get; init; } = NftLayout.SetSize;

    /// <summary>Time limit of each nft command.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Write an add with a timeout as add, delete, add (in the same transaction) so the timeout of an element already
    /// there is reset; null = only on kernels before 6.12, which ignore the timeout of a repeated add.
    /// </summary>
    public bool? RefreshTimeoutsByReplace { get; init; }
}

/// <summary>
/// Blocks in the nft sets of <see cref="NftLayout"/> (table <c>inet riposte</c>), a whole batch per kernel transaction
/// (by default straight over netlink, see <see cref="NftWriteMode"/>).
/// <para>
/// A batch is first written as it is (removes, then adds; overlapping adds within the batch resolved, see
/// <see cref="NftPlan"/>). The kernel aborts a transaction that removes an element not there exactly or adds one
/// overlapping another; nft 1.0.6 (Debian 12) has no <c>destroy element</c> (its parser rejects the keyword; the
/// kernel's NFT_MSG_DESTROYSETELEM exists since 6.3), and a destroy would not be safe for interval elements anyway (a
/// missing start is skipped while an end with the same key as another element's end is removed). So when the kernel
/// refuses: over netlink, the removed single addresses (the usual refusal: an element its kernel timeout already
/// dropped) are looked up in the kernel one by one (tree lookups, no transaction, no listing of a set that may hold
/// a million elements) and the batch is sent again without the missing ones; whatever still fails (adds meeting other
/// elements, removes of networks) is planned against <c>nft -j list table inet riposte</c>: only the removes of
/// elements that are there, adds resolved against what is there, the table re-created if it is gone (after
/// <c>nft flush ruleset</c>). A refusal then is a real error.
/// </para>
/// <para>Writes are serialised: one transaction at a time, in call order.</para>
/// </summary>
public sealed class NftSetBackend : IBlockBackend, IDisposable
{
    private readonly NftSetOptions _options;
    private readonly ILogger _logger;
    private readonly ExternalCommand _command;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly bool _replaceTimedAdds;
    private INftWriter? _writer;
    private long _transactions;
    private bool _disposed;

    /// <summary>Creates the backend; nothing is touched until the first call.</summary>
    public NftSetBackend(NftSetOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new NftSetOptions();
        _logger = logger ?? NullLogger.Instance;
        _command = new ExternalCommand(_options.NetworkNamespace, _options.CommandTimeout);
        _replaceTimedAdds = _options.RefreshTimeoutsByReplace ?? Environment.OSVersion.Version < new Version(6, 12);
    }

    /// <summary>Transactions sent to the kernel so far (taken or refused), for tests and benchmarks.</summary>
    public long TransactionCount => Interlocked.Read(ref _transactions);

    /// <summary>The mode actually used: <see cref="NftWriteMode.Script"/> when a netlink socket could not be opened.</summary>
    public NftWriteMode EffectiveWriteMode => _writer is NftScriptWriter ? NftWriteMode.Script : _options.WriteMode;

    /// <inheritdoc/>
    public async ValueTask EnsureReadyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await EnsureReadyCoreAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask ApplyAsync(IReadOnlyList<BlockChange> changes, CancellationToken cancellationToken)
    {
        var coalesced = BlockChange.Coalesce(changes);
        if (coalesced.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var writer = Writer();
            var plan = NftPlan.Create(coalesced, kernel: null, _options.MaxKernelTimeout, _replaceTimedAdds);
            // A network is removed as its start and end elements. Were it not there exactly, an older kernel could take
            // the start of one element and the end of another (two halves of it that are there): such removes are only
            // sent once the listing shows the network itself. A single address cannot be mistaken that way.
            if (plan.Batch.Removes.All(r => r.Target.IsSingleAddress))
            {
                var refusal = await WriteAsync(writer, plan.Batch, cancellationToken);
                if (refusal is null)
                {
                    Log(plan);
                    return;
                }

                _logger.LogDebug("the kernel refused the batch as sent ({Refusal}); applying it against what is there", refusal);
            }

            if (writer is NftScriptWriter)
            {
                // A transaction costs a process: list once and write what cannot fail.
                await PlanAndWriteAsync(writer, coalesced, cancellationToken);
                return;
            }

            // Over netlink the usual refusal (a remove of an element its kernel timeout already dropped) is settled by
            // asking the kernel for each removed address (a tree lookup, no transaction: a transaction's commit walks
            // the whole set) and sending again without the missing ones; only what still fails is planned against a
            // listing of sets that may hold a million elements.
            var netlink = (NftNetlinkWriter)writer;
            var singles = coalesced.Where(c => c.Action == BlockAction.Remove && c.Target.IsSingleAddress).Select(c => c.Target).ToList();
            if (singles.Count > 0 && netlink.FindPresent(singles) is { } present)
            {
                var kept = coalesced.Where(c => c.Action == BlockAction.Add || !c.Target.IsSingleAddress || present.Contains(c.Target)).ToList();
                _logger.LogDebug("nft block set: {Count} removed address(es) were not in the set", coalesced.Count - kept.Count);
                plan = NftPlan.Create(kept, kernel: null, _options.MaxKernelTimeout, _replaceTimedAdds);
                if (plan.Batch.Removes.All(r => r.Target.IsSingleAddress) && await WriteAsync(writer, plan.Batch, cancellationToken) is null)
                {
                    Log(plan);
                    return;
                }

                coalesced = kept;
            }

            await PlanAndWriteAsync(writer, coalesced, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlySet<string>> ListAsync(CancellationToken cancellationToken)
    {
        var listing = await ListCoreAsync(cancellationToken);
        return listing.Elements.Select(e => e.Target.Value).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The elements with their kernel timeouts (seconds set and seconds left).</summary>
    internal async ValueTask<IReadOnlyList<NftElement>> ListElementsAsync(CancellationToken cancellationToken) =>
        [.. (await ListCoreAsync(cancellationToken)).Elements];

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _writer?.Dispose();
            _gate.Dispose();
        }
    }

    private async Task<string?> WriteAsync(INftWriter writer, NftBatch batch, CancellationToken cancellationToken)
    {
        if (batch.IsEmpty)
        {
            return null;
        }

        Interlocked.Increment(ref _transactions);
        return await writer.WriteAsync(batch, cancellationToken);
    }

    /// <summary>Lists the sets (re-creating them when they are gone), plans <paramref name="changes"/> against them and writes that.</summary>
    private async Task PlanAndWriteAsync(INftWriter writer, IReadOnlyList<BlockChange> changes, CancellationToken cancellationToken)
    {
        var kernel = await ListCoreAsync(cancellationToken);
        if (!HasLayout(kernel))
        {
            _logger.LogWarning("table {Family} {Table} or its sets are missing (flushed ruleset?); re-creating them", NftLayout.Family, NftLayout.Table);
            await EnsureReadyCoreAsync(cancellationToken);
            kernel = await ListCoreAsync(cancellationToken);
        }

        var plan = NftPlan.Create(changes, kernel, _options.MaxKernelTimeout, _replaceTimedAdds);
        var refusal = await WriteAsync(writer, plan.Batch, cancellationToken);
        if (refusal is not null)
        {
            throw new BlockBackendException($"nft set update of {plan.Batch.Count} element(s) failed: {refusal}");
        }

        Log(plan);
    }

    private void Log(NftPlan plan)
    {
        foreach (var note in plan.Notes)
        {
            _logger.LogInformation("nft block set: {Note}", note);
        }
    }

    private INftWriter Writer()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is not null)
        {
            return _writer;
        }

        if (_options.WriteMode == NftWriteMode.Netlink)
        {
            try
            {
                return _writer = NftNetlinkWriter.Open(_options.NetworkNamespace);
            }
            catch (BlockBackendException e)
            {
                _logger.LogWarning("netlink unavailable ({Reason}); writing nft sets with nft -f - instead", e.Message);
            }
        }

        return _writer = new NftScriptWriter(_command);
    }

    private async Task EnsureReadyCoreAsync(CancellationToken cancellationToken)
    {
        var result = await _command.RunAsync(["nft", "-f", "-"], NftLayout.EnsureScript(_options.SetSize), cancellationToken);
        if (!result.Succeeded)
        {
            throw new BlockBackendException($"creating table {NftLayout.Family} {NftLayout.Table} failed: {result.Diagnostic}");
        }

        // A set created earlier with other flags keeps them ("add" of an existing set changes nothing): say so
        // rather than fail on every timeout or network later.
        var listing = await ListCoreAsync(cancellationToken);
        foreach (var name in new[] { NftLayout.Set4, NftLayout.Set6 })
        {
            if (!listing.Sets.TryGetValue(name, out var set))
            {
                throw new BlockBackendException($"set {name} is missing right after it was created");
            }

            if (!set.Flags.Contains("interval") || !set.Flags.Contains("timeout"))
            {
                throw new BlockBackendException(
                    $"set {NftLayout.Family} {NftLayout.Table} {name} exists without flags interval and timeout ({string.Join(", ", set.Flags)}); " +
                    $"delete the table (nft delete table {NftLayout.Family} {NftLayout.Table}) so Riposte can create it as it needs");
            }
        }
    }

    private async Task<NftListing> ListCoreAsync(CancellationToken cancellationToken)
    {
        var result = await _command.RunAsync(["nft", "-j", "list", "table", NftLayout.Family, NftLayout.Table], null, cancellationToken);
        if (!result.Succeeded)
        {
            if (result.Stderr.Contains("No such file or directory", StringComparison.Ordinal))
            {
                return NftListing.Empty; // no table: nothing is blocked
            }

            throw new BlockBackendException($"listing table {NftLayout.Family} {NftLayout.Table} failed: {result.Diagnostic}");
        }

        try
        {
            var listing = NftListing.Parse(result.Stdout);
            if (listing.Unrecognised.Count > 0)
            {
                _logger.LogWarning("{Count} element(s) of the nft block sets are not addresses and are left alone, e.g. {Element}", listing.Unrecognised.Count, listing.Unrecognised[0]);
            }

            return listing;
        }
        catch (JsonException e)
        {
            throw new BlockBackendException($"nft -j list printed something that is not its JSON: {e.Message}", e);
        }
    }

    private static bool HasLayout(NftListing listing) => listing.Sets.ContainsKey(NftLayout.Set4) && listing.Sets.ContainsKey(NftLayout.Set6);
}
