using Riposte.Cli.Daemon;
using Riposte.Sdk;

namespace Riposte.Cli.Doctor;

/// <summary>
/// The tools the built-in programs run (found in the search path the way the programs find them) and whether the
/// kernel answers them. Every probe only reads: <c>nft list tables</c>, <c>ipset list -n</c>, <c>iptables --version</c>
/// and, for the nf_tables backend, <c>iptables -S INPUT</c> (which lists without creating anything). The legacy
/// backend is judged from <c>/proc/net/ip_tables_names</c> instead of running it: iptables-legacy loads its kernel
/// modules as a side effect.
/// </summary>
internal sealed class FirewallCheck : IDoctorCheck
{
    /// <summary>How long a probe may take before it counts as hung.</summary>
    private static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(5);

    /// <summary>The tools each program name (Riposte's built-in or Wazuh's stock one of the same name) runs.</summary>
    private static readonly Dictionary<string, string[]> ToolsByProgram = new(StringComparer.Ordinal)
    {
        ["firewall-drop"] = ["iptables", "ip6tables"],
        ["nft-drop"] = ["nft"],
        ["ipset-drop"] = ["ipset", "iptables", "ip6tables"],
        ["route-null"] = ["ip"],
        ["firewalld-drop"] = ["firewall-cmd"],
        ["disable-account"] = ["getent", "passwd"],
        ["restart-service"] = ["systemctl"],
    };

    /// <summary>Always reported, needed or not: the netfilter tools.</summary>
    private static readonly string[] Netfilter = ["nft", "ipset", "iptables", "ip6tables"];

    private static readonly Dictionary<string, string> Packages = new(StringComparer.Ordinal)
    {
        ["nft"] = "nftables", ["ipset"] = "ipset", ["iptables"] = "iptables", ["ip6tables"] = "iptables", ["ip"] = "iproute2",
        ["firewall-cmd"] = "firewalld", ["getent"] = "libc-bin", ["passwd"] = "passwd", ["systemctl"] = "systemd",
    };

    /// <inheritdoc />
    public string Id => "firewall";

    /// <inheritdoc />
    public string Title => "Firewall tools and kernel support";

    /// <inheritdoc />
    public async Task<IReadOnlyList<CheckResult>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var programs = context.Config.Config is { } config ? ResponsePrograms.Of(context.Layout, config, context.Role) : [];
        var neededBy = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var program in programs)
        {
            foreach (var tool in ToolsByProgram.GetValueOrDefault(Path.GetFileName(program.Executable), []))
            {
                (neededBy.TryGetValue(tool, out var list) ? list : neededBy[tool] = []).Add(program.Response);
            }
        }

        var results = new List<CheckResult>();
        foreach (var tool in Netfilter.Concat(neededBy.Keys.Where(t => !Netfilter.Contains(t))))
        {
            var users = neededBy.GetValueOrDefault(tool);
            results.Add(await CheckToolAsync(context, tool, users, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private async Task<CheckResult> CheckToolAsync(DoctorContext context, string name, List<string>? users, CancellationToken cancellationToken)
    {
        var needed = users is { Count: > 0 };
        var usedBy = needed ? $"used by {string.Join(", ", users!)}" : "no configured response uses it";
        if (ExternalTool.Find(name, context.ToolSearchPath) is not { } tool)
        {
            return needed
                ? CheckResult.Fail(Id, name, $"not found in {context.ToolSearchPath} ({usedBy}): those responses fail on every alert",
                    $"apt-get install {Packages.GetValueOrDefault(name, name)} (dnf install on RHEL), or run serve with a PATH that holds {name}")
                : CheckResult.Skip(Id, name, $"not found in the search path ({usedBy})");
        }

        var probe = name switch
        {
            "nft" => await NftAsync(tool, cancellationToken).ConfigureAwait(false),
            "ipset" => await RunProbeAsync(tool, ["list", "-n"], "the kernel's ip_set answers", "modprobe ip_set", cancellationToken).ConfigureAwait(false),
            "iptables" or "ip6tables" => await IptablesAsync(tool, cancellationToken).ConfigureAwait(false),
            _ => new Probe(CheckStatus.Pass, "present", null),
        };

        // An unusable tool that nothing needs is worth knowing, not a failure.
        var status = probe.Status == CheckStatus.Fail && !needed ? CheckStatus.Warn : probe.Status;
        return new CheckResult(Id, name, status, $"{tool.Path}: {probe.Message} ({usedBy})", status == CheckStatus.Pass ? null : probe.Fix);
    }

    private static Task<Probe> NftAsync(ExternalTool nft, CancellationToken cancellationToken) =>
        RunProbeAsync(nft, ["list", "tables"], "the kernel's nf_tables answers (nft list tables)", "modprobe nf_tables (or use a kernel with CONFIG_NF_TABLES)", cancellationToken);

    private static async Task<Probe> IptablesAsync(ExternalTool tool, CancellationToken cancellationToken)
    {
        var version = await tool.RunAsync(["--version"], null, ProbeLimit, cancellationToken).ConfigureAwait(false);
        if (!version.Succeeded)
        {
            return new Probe(CheckStatus.Fail, $"`{tool.Name} --version` fails: {Short(version)}", $"reinstall iptables ({tool.Path} does not run)");
        }

        var text = version.StandardOutput.Trim();
        if (text.Contains("(legacy)", StringComparison.Ordinal))
        {
            var names = tool.Name == "ip6tables" ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names";
            return File.Exists(names)
                ? new Probe(CheckStatus.Pass, $"{text}; the kernel's {(tool.Name == "ip6tables" ? "ip6_tables" : "ip_tables")} is loaded", null)
                : new Probe(CheckStatus.Warn, $"{text}; {names} is absent (the module is not loaded yet; iptables-legacy loads it on first use)",
                    $"modprobe {(tool.Name == "ip6tables" ? "ip6_tables" : "ip_tables")}, or switch to the nf_tables backend (update-alternatives --set iptables /usr/sbin/iptables-nft)");
        }

        var listed = await RunProbeAsync(tool, ["-S", "INPUT"], "the kernel answers (-S INPUT)", "modprobe nf_tables (iptables-nft needs nf_tables in the kernel)", cancellationToken)
            .ConfigureAwait(false);
        return listed with { Message = $"{text}; {listed.Message}" };
    }

    /// <summary>Runs a read-only command; a permission refusal (not root) is a warning, anything else a failure.</summary>
    private static async Task<Probe> RunProbeAsync(ExternalTool tool, string[] arguments, string ok, string fix, CancellationToken cancellationToken)
    {
        var result = await tool.RunAsync(arguments, null, ProbeLimit, cancellationToken).ConfigureAwait(false);
        var command = $"{tool.Name} {string.Join(' ', arguments)}";
        if (result.Succeeded)
        {
            return new Probe(CheckStatus.Pass, ok, null);
        }

        if (result.TimedOut)
        {
            return new Probe(CheckStatus.Fail, $"`{command}` did not answer within {ProbeLimit.TotalSeconds:0} s", fix);
        }

        var error = Short(result);
        return error.Contains("not permitted", StringComparison.OrdinalIgnoreCase) || error.Contains("permission denied", StringComparison.OrdinalIgnoreCase)
            ? new Probe(CheckStatus.Warn, $"`{command}` is refused to this user ({error})", "run riposte doctor as root (the user serve runs as) to check the kernel")
            : new Probe(CheckStatus.Fail, $"`{command}` fails: {error}", fix);
    }

    private static string Short(ToolResult result)
    {
        var text = (result.StandardError.Trim().Length > 0 ? result.StandardError : result.StandardOutput).Trim().ReplaceLineEndings(" | ");
        return text.Length == 0 ? $"exit code {result.ExitCode}" : text.Length > 200 ? text[..200] + "..." : text;
    }

    private sealed record Probe(CheckStatus Status, string Message, string? Fix);
}
