using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Riposte.Backends;

/// <summary>Options of <see cref="IpsetBackend"/>.</summary>
public sealed record IpsetOptions
{
    /// <summary>Run every command inside this network namespace (<c>ip netns exec</c>); null = the host's.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The IPv4 set (hash:net).</summary>
    public string Set4 { get; init; } = "riposte4";

    /// <summary>The IPv6 set (hash:net).</summary>
    public string Set6 { get; init; } = "riposte6";

    /// <summary>
    /// Elements each set can hold; ipset's default of 65 536 is easily reached by a blocklist. The same value as the
    /// <c>ipset-drop</c> program's: <c>create -exist</c> fails on a set that exists with other parameters.
    /// </summary>
    public int MaxElements { get; init; } = 1_000_000;

    /// <summary>The iptables/ip6tables chains (filter table) that get a rule dropping the sets' members (INPUT, as <c>ipset-drop</c>).</summary>
    public IReadOnlyList<string> Chains { get; init; } = ["INPUT"];

    /// <summary>Cap of element timeouts; ipset refuses more than <see cref="BlockChange.MaxKernelTimeout"/>.</summary>
    public TimeSpan MaxKernelTimeout { get; init; } = BlockChange.MaxKernelTimeout;

    /// <summary>Time limit of each command.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Blocks in two ipset hash:net sets (created with <c>timeout 0</c>, so each element may carry its own timeout or
/// none) matched by one iptables and one ip6tables rule per chain: the sets and rule of the <c>ipset-drop</c>
/// program, so the program and this backend are interchangeable. A batch is one <c>ipset restore -exist</c> with
/// the commands on stdin: <c>-exist</c> makes an add of an element already there refresh it and a delete of one
/// already gone succeed, so no listing is needed first. hash:net holds overlapping networks side by side, so nothing
/// is lost when <c>10.0.0.5</c> is added while <c>10.0.0.0/24</c> is there. ipset has no transactions: restore
/// applies its lines in order and stops at the first error (with <c>-exist</c> only real errors remain: a full set,
/// a missing set, which is re-created once). Ranges that are not one network are
/// refused (hash:net would store them as several networks, which would no longer match the block's key).
/// </summary>
public sealed class IpsetBackend : IBlockBackend
{
    private readonly IpsetOptions _options;
    private readonly ILogger _logger;
    private readonly ExternalCommand _command;
    private long _transactions;

    /// <summary>Creates the backend; nothing is touched until the first call.</summary>
    public IpsetBackend(IpsetOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new IpsetOptions();
        _logger = logger ?? NullLogger.Instance;
        _command = new ExternalCommand(_options.NetworkNamespace, _options.CommandTimeout);
    }

    /// <summary><c>ipset restore</c> runs so far, for tests and benchmarks.</summary>
    public long TransactionCount => Interlocked.Read(ref _transactions);

    /// <inheritdoc/>
    public async ValueTask EnsureReadyAsync(CancellationToken cancellationToken)
    {
        var size = _options.MaxElements.ToString(CultureInfo.InvariantCulture);
        var create = $"create {_options.Set4} hash:net family inet maxelem {size} timeout 0\n" +
                     $"create {_options.Set6} hash:net family inet6 maxelem {size} timeout 0\n";
        var created = await _command.RunAsync(["ipset", "restore", "-exist"], create, cancellationToken);
        if (!created.Succeeded)
        {
            throw new BlockBackendException($"creating ipsets {_options.Set4}/{_options.Set6} failed (an existing set of another type or without timeout support is not changed by -exist): {created.Diagnostic}");
        }

        foreach (var (tool, set) in new[] { ("iptables", _options.Set4), ("ip6tables", _options.Set6) })
        {
            foreach (var chain in _options.Chains)
            {
                string[] rule = ["-m", "set", "--match-set", set, "src", "-j", "DROP"];
                var check = await _command.RunAsync([tool, "-w", "-C", chain, .. rule], null, cancellationToken);
                if (check.Succeeded)
                {
                    continue;
                }

                // First in the chain, as nft's priority -10 puts Riposte's drop before the usual filter rules.
                var insert = await _command.RunAsync([tool, "-w", "-I", chain, "1", .. rule], null, cancellationToken);
                if (!insert.Succeeded)
                {
                    throw new BlockBackendException($"{tool} -I {chain} for set {set} failed: {insert.Diagnostic}");
                }

                _logger.LogInformation("added the {Tool} rule dropping members of {Set} to {Chain}", tool, set, chain);
            }
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

        var script = Script(coalesced);
        Interlocked.Increment(ref _transactions);
        var result = await _command.RunAsync(["ipset", "restore", "-exist"], script, cancellationToken);
        if (result.Succeeded)
        {
            return;
        }

        if (result.Diagnostic.Contains("does not exist", StringComparison.Ordinal))
        {
            // The sets were destroyed under us (ipset destroy, a firewall reload): create them and try once more.
            _logger.LogWarning("ipsets {Set4}/{Set6} are missing; re-creating them", _options.Set4, _options.Set6);
            await EnsureReadyAsync(cancellationToken);
            Interlocked.Increment(ref _transactions);
            result = await _command.RunAsync(["ipset", "restore", "-exist"], script, cancellationToken);
            if (result.Succeeded)
            {
                return;
            }
        }

        throw new BlockBackendException($"ipset restore of {coalesced.Count} change(s) failed: {result.Diagnostic}");
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlySet<string>> ListAsync(CancellationToken cancellationToken)
    {
        var elements = new HashSet<string>(StringComparer.Ordinal);
        foreach (var set in new[] { _options.Set4, _options.Set6 })
        {
            var result = await _command.RunAsync(["ipset", "list", "-o", "save", set], null, cancellationToken);
            if (!result.Succeeded)
            {
                if (result.Diagnostic.Contains("does not exist", StringComparison.Ordinal))
                {
                    continue;
                }

                throw new BlockBackendException($"ipset list {set} failed: {result.Diagnostic}");
            }

            foreach (var target in ParseSave(result.Stdout, set))
            {
                elements.Add(target.Value);
            }
        }

        return elements;
    }

    /// <summary>The <c>ipset restore</c> commands: deletes first, then adds with their timeout (0 = none).</summary>
    internal string Script(IReadOnlyList<BlockChange> coalesced)
    {
        var script = new StringBuilder();
        foreach (var change in coalesced.Where(c => c.Action == BlockAction.Remove).Concat(coalesced.Where(c => c.Action == BlockAction.Add)))
        {
            var target = change.Target;
            if (target.IsRange)
            {
                throw new ArgumentException($"{target} is a range; an ipset hash:net holds networks", nameof(coalesced));
            }

            var set = target.IsIPv6 ? _options.Set6 : _options.Set4;
            if (change.Action == BlockAction.Remove)
            {
                script.Append(CultureInfo.InvariantCulture, $"del {set} {target.Value}\n");
            }
            else
            {
                var seconds = (long)(change.EffectiveTimeout(_options.MaxKernelTimeout)?.TotalSeconds ?? 0);
                script.Append(CultureInfo.InvariantCulture, $"add {set} {target.Value} timeout {seconds}\n");
            }
        }

        return script.ToString();
    }

    /// <summary>The elements of <paramref name="set"/> in <c>ipset save</c> output (<c>add SET ELEMENT [timeout N]...</c>).</summary>
    internal static IEnumerable<BlockTarget> ParseSave(string output, string set)
    {
        foreach (var line in output.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 3 && fields[0] == "add" && fields[1] == set && BlockTarget.TryParse(fields[2], out var target))
            {
                yield return target;
            }
        }
    }
}
