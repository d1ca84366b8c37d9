using System.Diagnostics;
using System.Globalization;
using System.Text;
using Riposte.Backends;
using Riposte.Execution;
using Riposte.Protocol.Execd;

namespace Riposte.Bench;

/// <summary>
/// Blocking and then unblocking many IPs, each method in a network namespace of its own (created and deleted here):
/// <list type="bullet">
/// <item>Riposte's in-process fast path: <see cref="BlockBatcher"/> over <see cref="NftSetBackend"/>, 10 000 adds submitted
/// concurrently (as a flood reaches the engine), then 10 000 removes;</item>
/// <item>the <c>nft-drop</c> program spawned once per IP with execd's protocol (add, check_keys, continue; delete);</item>
/// <item>Wazuh's method: one iptables rule per IP, <c>iptables -I INPUT -s IP -j DROP</c> then <c>-D</c>, one process per command;</item>
/// <item>fail2ban (Debian's package) with its set-based nftables action, fed through <c>fail2ban-client set JAIL banip/unbanip</c>
/// with many IPs per call.</item>
/// </list>
/// The baselines run fewer IPs (they are slow, and per-IP iptables rules get slower with every rule, which favours
/// them); every rate is IPs blocked and unblocked per second.
/// </summary>
internal sealed class Block10kBenchmark : IBenchmark
{
    private const int FastCount = 10_000;
    private const double TargetSeconds = 1.0;
    private const double TargetRatio = 100;
    private const string Jail = "riposte-bench";

    public string Name => "block_10k";

    public string Description => "block then unblock 10k IPs in-process (nft set) vs per-IP iptables, fail2ban and the nft-drop program";

    public IEnumerable<BenchResult> Run(BenchOptions options)
    {
        if (BenchNamespace.WhyUnavailable("nft") is { } why)
        {
            Console.WriteLine($"   skipped: {why}");
            yield break;
        }

        var fast = FastPath(options.Quick ? 2 : 3);
        var iptables = BenchNamespace.WhyUnavailable("iptables") is { } noIptables ? Skip(noIptables) : PerIpIptables(options.Quick ? 500 : 2000);
        var program = Program(options, options.Quick ? 500 : 2000);
        var fail2ban = Fail2ban(options, options.Quick ? 200 : 1000);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   fast path: {FastCount:N0} IPs blocked and unblocked in {FastCount / fast:F3} s (target < {TargetSeconds:F0} s: {(FastCount / fast < TargetSeconds ? "met" : "MISSED")})"));
        if (iptables is { } ipt)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   fast path vs per-IP iptables: {fast / ipt.Rate:F0}x (target >= {TargetRatio:F0}x: {(fast / ipt.Rate >= TargetRatio ? "met" : "MISSED")})"));
            yield return new BenchResult("block_10k_vs_iptables", "IPs/s", Math.Round(fast), Math.Round(ipt.Rate, 1), ipt.Label, Math.Round(fast / ipt.Rate, 3));
        }

        if (fail2ban is { } f2b)
        {
            yield return new BenchResult("block_10k_vs_fail2ban", "IPs/s", Math.Round(fast), Math.Round(f2b.Rate, 1), f2b.Label, Math.Round(fast / f2b.Rate, 3));
        }

        if (program is { } prog && iptables is { } baseline)
        {
            yield return new BenchResult("block_10k_program", "IPs/s", Math.Round(prog.Rate, 1), Math.Round(baseline.Rate, 1),
                $"{baseline.Label}; riposte = {prog.Label}", Math.Round(prog.Rate / baseline.Rate, 3));
        }
    }

    private sealed record Measured(double Rate, string Label);

    private static Measured? Skip(string why)
    {
        Console.WriteLine($"   skipped: {why}");
        return null;
    }

    /// <summary>Best rate over <paramref name="rounds"/> rounds of 10 000 concurrent adds, then 10 000 concurrent removes.</summary>
    private static double FastPath(int rounds)
    {
        using var ns = BenchNamespace.Create();
        using var backend = new NftSetBackend(new NftSetOptions { NetworkNamespace = ns.Name });
        backend.EnsureReadyAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var batcher = new BlockBatcher(backend, TimeProvider.System);
        try
        {
            var ips = Enumerable.Range(0, FastCount).Select(BenchHome.SourceIp).ToArray();
            var warm = Enumerable.Range(FastCount, 1000).Select(BenchHome.SourceIp).ToArray();
            Cycle(batcher, backend, warm);

            var best = double.MaxValue;
            (double Add, double Remove, long Transactions) bestSplit = default;
            for (var round = 0; round < rounds; round++)
            {
                var before = backend.TransactionCount;
                var (add, remove) = Cycle(batcher, backend, ips);
                if (add + remove < best)
                {
                    best = add + remove;
                    bestSplit = (add, remove, backend.TransactionCount - before);
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   fast path (BlockBatcher + NftSetBackend, {backend.EffectiveWriteMode}): block {bestSplit.Add * 1000:F0} ms + unblock {bestSplit.Remove * 1000:F0} ms for {FastCount:N0} IPs, {bestSplit.Transactions} kernel transactions, best of {rounds}"));
            return FastCount / best;
        }
        finally
        {
            batcher.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Blocks then unblocks <paramref name="ips"/>, every change submitted at once from the thread pool; checks the set after each half.</summary>
    private static (double Add, double Remove) Cycle(BlockBatcher batcher, NftSetBackend backend, string[] ips)
    {
        double Half(BlockAction action)
        {
            var watch = Stopwatch.StartNew();
            var calls = new Task[ips.Length];
            for (var i = 0; i < ips.Length; i++)
            {
                var ip = ips[i];
                calls[i] = Task.Run(() => batcher.SubmitAsync(
                    action == BlockAction.Add ? BlockChange.Add(ip, TimeSpan.FromHours(1)) : BlockChange.Remove(ip), CancellationToken.None).AsTask());
            }

            Task.WaitAll(calls);
            return watch.Elapsed.TotalSeconds;
        }

        var add = Half(BlockAction.Add);
        Expect(backend, ips.Length);
        var remove = Half(BlockAction.Remove);
        Expect(backend, 0);
        return (add, remove);
    }

    private static void Expect(NftSetBackend backend, int count)
    {
        var listed = backend.ListAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult().Count;
        if (listed != count)
        {
            throw new InvalidOperationException($"{listed} elements in the set, expected {count}");
        }
    }

    /// <summary>Wazuh's firewall-drop method without its script around it: one iptables process per rule, run one after another by sh inside the namespace.</summary>
    private static Measured PerIpIptables(int count)
    {
        using var ns = BenchNamespace.Create();
        string Script(string operation)
        {
            var script = new StringBuilder();
            for (var i = 0; i < count; i++)
            {
                script.Append(CultureInfo.InvariantCulture, $"iptables -w {operation} INPUT -s {BenchHome.SourceIp(i)} -j DROP\n");
            }

            return script.ToString();
        }

        var insert = Script("-I");
        var delete = Script("-D");
        ns.ExecWithInput("iptables -w -I INPUT -s 192.0.2.1 -j DROP\niptables -w -D INPUT -s 192.0.2.1 -j DROP\n", "sh");
        var watch = Stopwatch.StartNew();
        ns.ExecWithInput(insert, "sh");
        var blocked = watch.Elapsed.TotalSeconds;
        var rules = ns.Exec("iptables", "-S", "INPUT").Split('\n').Count(l => l.StartsWith("-A INPUT -s ", StringComparison.Ordinal));
        if (rules != count)
        {
            throw new InvalidOperationException($"{rules} iptables rules after {count} inserts");
        }

        watch.Restart();
        ns.ExecWithInput(delete, "sh");
        var unblocked = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   per-IP iptables ({ns.Exec("iptables", "--version").Trim()}): {count:N0} inserts {blocked:F2} s + {count:N0} deletes {unblocked:F2} s"));
        return new Measured(count / (blocked + unblocked), $"per-IP iptables -I/-D, one process each, N={count}");
    }

    /// <summary>The nft-drop program run per IP as execd runs it, <see cref="BenchHome.Parallelism"/> in flight.</summary>
    private static Measured? Program(BenchOptions options, int count)
    {
        var repo = Path.GetFullPath(Path.Combine(options.DataDirectory, "..", ".."));
        var binary = BenchRiposteAr.Locate(repo, options.DataDirectory, out var why);
        if (binary is null)
        {
            return Skip($"nft-drop program row: {why}");
        }

        using var ns = BenchNamespace.Create();
        var home = BenchHome.Create();
        try
        {
            var bin = Path.Combine(home.Path, ArCommandTable.BinDirectory);
            File.CreateSymbolicLink(Path.Combine(bin, "nft-drop"), binary);
            var relative = $"{ArCommandTable.BinDirectory}/nft-drop";
            var invocation = new ProgramInvocation(home.Path, relative);
            var launcher = new ProgramLauncher();
            var lines = Enumerable.Range(0, count + 1).Select(i =>
            {
                var message = BenchHome.PreparedMessage(BenchHome.AnalysisdBody("nft-drop0", BenchHome.SourceIp(i), i), relative);
                return (Add: PlainRuns.Line(message.With("add")), Continue: PlainRuns.Line(message.With("continue")), Delete: PlainRuns.Line(message.With("delete")));
            }).ToArray();

            // The first add creates the table; then one IP more each way, untimed.
            ns.RunInside(1, i => PlainRuns.RunHandshakeAsync(launcher, invocation, lines[count].Add, lines[count].Continue).GetAwaiter().GetResult(), 1);
            ns.RunInside(1, i => PlainRuns.RunLineAsync(launcher, invocation, lines[count].Delete).GetAwaiter().GetResult(), 1);
            using var backend = new NftSetBackend(new NftSetOptions { NetworkNamespace = ns.Name });
            var blocked = ns.RunInside(BenchHome.Parallelism, i => PlainRuns.RunHandshakeAsync(launcher, invocation, lines[i].Add, lines[i].Continue).GetAwaiter().GetResult(), count);
            Expect(backend, count);
            var unblocked = ns.RunInside(BenchHome.Parallelism, i => PlainRuns.RunLineAsync(launcher, invocation, lines[i].Delete).GetAwaiter().GetResult(), count);
            Expect(backend, 0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   nft-drop program: {count:N0} add runs {blocked:F2} s + {count:N0} delete runs {unblocked:F2} s, {BenchHome.Parallelism} in flight"));
            return new Measured(count / (blocked + unblocked), $"nft-drop program per IP, {BenchHome.Parallelism} in flight, N={count}");
        }
        finally
        {
            home.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>fail2ban-server in the namespace with a jail of its own (nftables-allports, no log to follow), banned and unbanned through fail2ban-client.</summary>
    private static Measured? Fail2ban(BenchOptions options, int count)
    {
        if (!ExternalCommand.Exists("fail2ban-server") && !InstallFail2ban(out var failure))
        {
            return Skip($"fail2ban row: {failure}");
        }

        var root = Path.Combine(options.DataDirectory, "fail2ban");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        var conf = Path.Combine(root, "conf");
        Directory.CreateDirectory(conf);
        // Debian's configuration without jail.d/ (which enables sshd) and fail2ban.d/, plus our own settings and jail.
        foreach (var name in new[] { "action.d", "filter.d" })
        {
            CopyDirectory(Path.Combine("/etc/fail2ban", name), Path.Combine(conf, name));
        }

        foreach (var file in Directory.EnumerateFiles("/etc/fail2ban", "*.conf"))
        {
            File.Copy(file, Path.Combine(conf, Path.GetFileName(file)));
        }

        var socket = Path.Combine(root, "f2b.sock");
        var pidFile = Path.Combine(root, "f2b.pid");
        var log = Path.Combine(root, "dummy.log");
        File.WriteAllText(log, "");
        File.WriteAllText(Path.Combine(conf, "fail2ban.local"),
            $"[Definition]\nloglevel = INFO\nlogtarget = {Path.Combine(root, "fail2ban.log")}\nsocket = {socket}\npidfile = {pidFile}\ndbfile = :memory:\nallowipv6 = auto\n");
        File.WriteAllText(Path.Combine(conf, "filter.d", $"{Jail}.conf"), "[Definition]\nfailregex = ^riposte-bench-never-matches <HOST>$\n");
        File.WriteAllText(Path.Combine(conf, "jail.local"),
            $"[DEFAULT]\nbackend = auto\n\n[{Jail}]\nenabled = true\nfilter = {Jail}\nlogpath = {log}\nbanaction = nftables-allports\nmaxretry = 1000000\nfindtime = 60\nbantime = 3600\n");

        using var ns = BenchNamespace.Create();
        using var server = StartInside(ns, "fail2ban-server", "-f", "-x", "-c", conf, "-s", socket, "-p", pidFile);
        try
        {
            WaitForServer(socket, server);
            string[] ips = [.. Enumerable.Range(0, count).Select(BenchHome.SourceIp)];
            // The first ban runs the action's start (table, chain, set): untimed.
            Client(socket, "set", Jail, "banip", "192.0.2.1");
            Client(socket, "set", Jail, "unbanip", "192.0.2.1");

            var watch = Stopwatch.StartNew();
            foreach (var chunk in ips.Chunk(1000))
            {
                Client(socket, ["set", Jail, "banip", .. chunk]);
            }

            var banned = watch.Elapsed.TotalSeconds;
            var inSet = SetSize(ns);
            if (inSet != count)
            {
                throw new InvalidOperationException($"{inSet} addresses in fail2ban's set after banning {count}");
            }

            watch.Restart();
            foreach (var chunk in ips.Chunk(1000))
            {
                Client(socket, ["set", Jail, "unbanip", .. chunk]);
            }

            var unbanned = watch.Elapsed.TotalSeconds;
            if (SetSize(ns) != 0)
            {
                throw new InvalidOperationException("fail2ban's set is not empty after unbanning");
            }

            var version = Client(socket, "version").Trim();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   fail2ban {version} (nftables-allports): {count:N0} bans {banned:F2} s + {count:N0} unbans {unbanned:F2} s"));
            return new Measured(count / (banned + unbanned), $"fail2ban {version} banip/unbanip (nftables-allports), N={count}");
        }
        finally
        {
            Client(socket, "stop");
            if (!server.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                server.Kill(entireProcessTree: true);
            }

            server.StandardOutput.Dispose();
            server.StandardError.Dispose();
        }
    }

    private static bool InstallFail2ban(out string? failure)
    {
        Console.WriteLine("   installing fail2ban (apt-get install -y fail2ban) ...");
        var start = new ProcessStartInfo("apt-get") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "install", "-y", "--no-install-recommends", "fail2ban" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        // Do not let the package start a fail2ban on the host (runlevel 1: invoke-rc.d starts nothing).
        start.Environment["RUNLEVEL"] = "1";
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            failure = process.ExitCode == 0 && ExternalCommand.Exists("fail2ban-server") ? null : $"apt-get install fail2ban failed: {errors.Trim()} {output.Result.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            failure = $"fail2ban is not installed and apt-get is not available ({e.Message})";
        }

        return failure is null;
    }

    private static Process StartInside(BenchNamespace ns, params string[] argv)
    {
        var start = new ProcessStartInfo(ExternalCommand.Resolve("ip")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "netns", "exec", ns.Name, ExternalCommand.Resolve(argv[0]) }.Concat(argv.Skip(1)))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        // Drain its output so it never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static void WaitForServer(string socket, Process server)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"fail2ban-server exited with {server.ExitCode}");
            }

            if (File.Exists(socket) && TryClient(socket, ["ping"]).Contains("pong", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Sleep(100);
        }

        throw new InvalidOperationException("fail2ban-server did not answer within 30 s");
    }

    private static string Client(string socket, params string[] args)
    {
        var result = new ExternalCommand(null, TimeSpan.FromMinutes(10)).RunAsync(["fail2ban-client", "-s", socket, .. args], null, CancellationToken.None).GetAwaiter().GetResult();
        return result.Succeeded ? result.Stdout : throw new InvalidOperationException($"fail2ban-client {string.Join(' ', args.Take(4))} ... exited with {result.ExitCode}: {result.Diagnostic}");
    }

    private static string TryClient(string socket, string[] args) =>
        new ExternalCommand(null, TimeSpan.FromSeconds(10)).RunAsync(["fail2ban-client", "-s", socket, .. args], null, CancellationToken.None).GetAwaiter().GetResult().Stdout;

    private static int SetSize(BenchNamespace ns)
    {
        var listing = ns.Exec("nft", "-j", "list", "set", "inet", "f2b-table", $"addr-set-{Jail}");
        using var document = System.Text.Json.JsonDocument.Parse(listing);
        return document.RootElement.GetProperty("nftables").EnumerateArray()
            .Where(i => i.TryGetProperty("set", out _))
            .Sum(i => i.GetProperty("set").TryGetProperty("elem", out var elem) ? elem.GetArrayLength() : 0);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
