using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Riposte.Alerts;
using Riposte.Config;
using Riposte.Config.Settings;
using Riposte.Engine;
using Riposte.Fleet;
using Riposte.Fleet.Manager;
using Riposte.Fleet.Messages;
using Riposte.Fleet.Registry;
using Riposte.Fleet.Transport;
using Riposte.Fleet.View;
using Riposte.Nats;
using Riposte.Protocol;

namespace Riposte.Bench;

/// <summary>
/// The fleet on this machine, shared by the fleet rows of one run: a real nats-server with JetStream, 50
/// <c>dotnet riposte.dll agent</c> processes (ids 001..050, each with its own home), and a manager in this process
/// built as <c>serve --nats</c> builds it (<see cref="FleetManagerService"/> following outcomes and heartbeats, a
/// <see cref="FleetDispatcher"/> over a real engine and <see cref="FleetStore"/>). Beside it, the single-host baseline:
/// an <see cref="AlertDispatcher"/> over an engine in this process, as plain <c>serve</c> runs. Both run the same
/// ossec.conf, the same programs and the same alerts (location <c>local</c>, the alert's agent).
/// </summary>
internal sealed class FleetRig : IAsyncDisposable
{
    public static readonly int AgentCount = int.TryParse(Environment.GetEnvironmentVariable("RIPOSTE_BENCH_AGENTS"), out var n) && n is > 0 and <= 999 ? n : 50;

    /// <summary>The rule of the latency alerts: the stamp program, which records when it started.</summary>
    public const string StampRule = "5712";

    /// <summary>The rule of the throughput alerts: the stateless program that prints nothing.</summary>
    public const string NoopRule = "5713";

    /// <summary>Alerts in flight at once, as <c>serve</c>'s tail loop allows (its ordered channel holds 256).</summary>
    public const int Window = 256;

    private const string Node = "bench";

    /// <summary>
    /// Records its start with bash's <c>$EPOCHREALTIME</c> (a builtin: no extra process, wall clock in microseconds, as
    /// the benchmark's own), reads the message and appends "start srcip" to its home's stamps file.
    /// </summary>
    private const string StampScript = """
        #!/bin/bash
        t=$EPOCHREALTIME
        IFS= read -r line
        ip=${line#*'"srcip":"'}
        ip=${ip%%'"'*}
        printf '%s %s\n' "$t" "$ip" >> STAMPS
        """;

    private static FleetRig? _shared;

    private readonly string _root;
    private readonly List<(string Id, string Home, Process Process)> _agents = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private NatsServerProcess? _nats;
    private NatsConnection? _connection;
    private FleetStore? _view;
    private Task? _service;
    private Task? _outcomeCounter;
    private BenchHome? _managerHome;
    private BenchHome? _singleHome;
    private int _next;

    private FleetRig(string root)
    {
        _root = root;
    }

    public FleetDispatcher Fleet { get; private set; } = null!;

    public AlertDispatcher Single { get; private set; } = null!;

    public INatsJSContext JetStream { get; private set; } = null!;

    public string StampName { get; private set; } = "";

    public string NoopName { get; private set; } = "";

    /// <summary>Seconds from the first agent's start until all 50 had bound their consumers.</summary>
    public double StartupSeconds { get; private set; }

    public IEnumerable<string> AgentIds => _agents.Select(a => a.Id);

    public string SingleStamps => Path.Combine(_singleHome!.Path, "stamps");

    public static FleetRig Shared()
    {
        if (_shared is null)
        {
            var rig = new FleetRig(Directory.CreateTempSubdirectory("riposte-bench-fleet-").FullName);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => rig.KillAgents();
            Console.CancelKeyPress += (_, _) => rig.KillAgents();
            try
            {
                rig.StartAsync().GetAwaiter().GetResult();
            }
            catch
            {
                rig.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }

            _shared = rig;
        }

        return _shared;
    }

    public static void DisposeShared()
    {
        if (_shared is { } rig)
        {
            _shared = null;
            rig.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The wall clock in microseconds since the epoch: the clock bash's <c>$EPOCHREALTIME</c> reads.</summary>
    public static long NowMicros() => (TimeProvider.System.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>The agent the <paramref name="index"/>-th alert comes from: round robin over 001..050.</summary>
    public static string AgentFor(int index) => (1 + (index % AgentCount)).ToString("D3", CultureInfo.InvariantCulture);

    public string StampsOf(string agentId) => Path.Combine(_root, "agent-" + agentId, "stamps");

    /// <summary>A realistic sshd alert (about 1 KiB) from <paramref name="agentId"/> with a source address and id no other alert of the run has.</summary>
    public (Alert Alert, string Ip) NewAlert(string rule, string agentId)
    {
        var index = Interlocked.Increment(ref _next);
        var ip = BenchHome.SourceIp(index);
        var json = $$"""
            {"timestamp":"2025-11-27T10:11:57.123+0000","rule":{"level":10,"description":"sshd: brute force trying to get access to the system. Non existent user.","id":"{{rule}}","mitre":{"id":["T1110"],"tactic":["Credential Access"],"technique":["Brute Force"]},"frequency":8,"firedtimes":{{1 + (index % 50)}},"mail":false,"groups":["syslog","sshd","authentication_failures"],"gdpr":["IV_35.7.d","IV_32.2"],"hipaa":["164.312.b"],"nist_800_53":["SI.4","AU.14","AC.7"],"pci_dss":["11.4","10.2.4","10.2.5"],"tsc":["CC6.1","CC6.8","CC7.2","CC7.3"]},"agent":{"id":"{{agentId}}","name":"web-{{agentId}}","ip":"10.0.0.{{int.Parse(agentId, CultureInfo.InvariantCulture)}}"},"manager":{"name":"wazuh-manager"},"id":"1764238317.{{100000 + index}}","previous_output":"Nov 27 10:11:50 web-01 sshd[24500]: Invalid user admin from {{ip}} port 52300\nNov 27 10:11:51 web-01 sshd[24501]: Invalid user root from {{ip}} port 52301","full_log":"Nov 27 10:11:57 web-01 sshd[24507]: Invalid user oracle from {{ip}} port 52307","predecoder":{"program_name":"sshd","timestamp":"Nov 27 10:11:57","hostname":"web-01"},"decoder":{"parent":"sshd","name":"sshd"},"data":{"srcip":"{{ip}}","srcport":"52307","srcuser":"oracle"},"location":"/var/log/auth.log"}
            """;
        return (AlertParser.Parse(Encoding.UTF8.GetBytes(json)), ip);
    }

    /// <summary>Commands still in the command stream (work queue: an acknowledged command is gone).</summary>
    public async Task<ulong> CommandsLeftAsync()
    {
        var stream = await JetStream.GetStreamAsync(FleetNames.CommandStream);
        return (ulong)stream.Info.State.Messages;
    }

    /// <summary>Outcomes agents reported so far for <paramref name="arName"/>, by "event exit-code".</summary>
    public IReadOnlyDictionary<string, int> Outcomes(string arName) =>
        _outcomes.Where(o => o.Key.StartsWith(arName + " ", StringComparison.Ordinal)).ToDictionary(o => o.Key[(arName.Length + 1)..], o => o.Value);

    /// <summary>Waits until agents reported at least <paramref name="count"/> outcomes for <paramref name="arName"/> (or 30 s), then returns them.</summary>
    public async Task<IReadOnlyDictionary<string, int>> WaitForOutcomesAsync(string arName, int count)
    {
        var deadline = Environment.TickCount64 + 30_000;
        while (Outcomes(arName).Values.Sum() < count && Environment.TickCount64 < deadline)
        {
            await Task.Delay(50);
        }

        return Outcomes(arName);
    }

    private async Task StartAsync()
    {
        // The agents run the ReadyToRun build bench/run publishes, as a package would ship it: 50 processes that each JIT
        // the whole command path would otherwise spend most of this machine's CPU compiling, not running commands.
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var riposte = Path.Combine(root, "artifacts", "bench", "riposte", "riposte.dll");
        if (!File.Exists(riposte))
        {
            riposte = Path.Combine(root, "src", "Riposte.Cli", "bin", "Release", "net10.0", "riposte.dll");
        }

        Console.WriteLine($"   agents run {Path.GetRelativePath(root, riposte)}");
        if (!File.Exists(riposte))
        {
            throw new InvalidOperationException($"{riposte} is missing: build src/Riposte.Cli in Release (bench/run does)");
        }

        _nats = await NatsServerProcess.StartAsync();
        var xml = """
            <ossec_config>
              <command><name>stamp</name><executable>stamp</executable><timeout_allowed>no</timeout_allowed></command>
              <command><name>noop</name><executable>noop</executable><timeout_allowed>no</timeout_allowed></command>
              <active-response><command>stamp</command><location>local</location><rules_id>5712</rules_id></active-response>
              <active-response><command>noop</command><location>local</location><rules_id>5713</rules_id></active-response>
            </ossec_config>
            """;
        var loaded = OssecConfigReader.ReadText(xml);
        var config = loaded.Config ?? throw new InvalidOperationException(string.Join("; ", loaded.Diagnostics));
        StampName = config.ActiveResponses.Single(r => r.CommandName == "stamp").Name;
        NoopName = config.ActiveResponses.Single(r => r.CommandName == "noop").Name;
        var arConf = ArConfWriter.Write(config);

        // The single-host baseline: the same programs and ar.conf lines on an engine in this process.
        _singleHome = BenchHome.Create();
        _singleHome.WriteProgram("stamp", StampScript.Replace("STAMPS", SingleStamps, StringComparison.Ordinal));
        _singleHome.WriteProgram("noop", BenchHome.StatelessProgram);
        var singleEngine = await _singleHome.StartEngineAsync([(StampName, "stamp", 0), (NoopName, "noop", 0)]);
        Single = new AlertDispatcher(config, singleEngine);

        // The manager: streams, one consumer per agent, outcomes and heartbeats into fleet.db, as serve --nats does.
        _connection = FleetConnection.Create(new FleetConnectionOptions(_nats.Url, null, FleetNames.ManagerInboxPrefix, "riposte-bench-manager"));
        await _connection.ConnectAsync();
        var ids = Enumerable.Range(1, AgentCount).Select(i => i.ToString("D3", CultureInfo.InvariantCulture)).ToList();
        var registry = new AgentRegistry(ids.Select(id => new EnrolledAgent(id, [], new Dictionary<string, string>())));
        Directory.CreateDirectory(Path.Combine(_root, "manager"));
        _view = await FleetStore.OpenAsync(Path.Combine(_root, "manager", "fleet.db"), TimeProvider.System);
        // fleet.command_ttl 1 h as in the fleet tests, fleet.ack_wait and outcome retention at their defaults.
        var service = new FleetManagerService(_connection, _view, new FleetStreamOptions(TimeSpan.FromHours(1), TimeSpan.FromDays(7), 1, TimeSpan.FromSeconds(30)),
            Node, TimeProvider.System, NullLogger.Instance);
        await service.PrepareAsync(registry, CancellationToken.None);
        JetStream = service.JetStream;
        _service = service.RunAsync(_stop.Token);
        _outcomeCounter = CountOutcomesAsync(_stop.Token);
        _managerHome = BenchHome.Create();
        var managerEngine = await _managerHome.StartEngineAsync([]);
        Fleet = new FleetDispatcher(config, registry, managerEngine, new CommandPublisher(service.JetStream, Node, NullLogger.Instance), _view,
            new FleetDispatchOptions(Node, TimeSpan.FromHours(1), (_, _) => ResponsePolicy.Default), null, TimeProvider.System, NullLogger.Instance);

        // The agents, laid out as the fleet tests lay them out, all started at once.
        var watch = Stopwatch.StartNew();
        var dotnet = Environment.ProcessPath ?? "dotnet";
        foreach (var id in ids)
        {
            var home = Path.Combine(_root, "agent-" + id);
            var bin = Path.Combine(home, "active-response", "bin");
            Directory.CreateDirectory(bin);
            Directory.CreateDirectory(Path.Combine(home, "etc", "shared"));
            Directory.CreateDirectory(Path.Combine(home, "logs"));
            File.WriteAllText(Path.Combine(home, "etc", "ossec.conf"), "<ossec_config><active-response><disabled>no</disabled></active-response></ossec_config>\n");
            File.WriteAllText(Path.Combine(home, "etc", "shared", "ar.conf"), arConf);
            File.WriteAllText(Path.Combine(home, "etc", "riposte.json"), """{"safety":{"never_block_self":false}}""" + "\n");
            WriteProgram(Path.Combine(bin, "stamp"), StampScript.Replace("STAMPS", StampsOf(id), StringComparison.Ordinal));
            WriteProgram(Path.Combine(bin, "noop"), BenchHome.StatelessProgram);

            // sh execs dotnet (same pid) with stderr in a file: nothing of the agent's log passes through this process.
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            foreach (var arg in (string[])["-c", "exec \"$0\" \"$1\" agent --id \"$2\" --nats \"$3\" --home \"$4\" </dev/null >/dev/null 2>\"$4/agent.log\"",
                         dotnet, riposte, id, _nats.Url, home])
            {
                start.ArgumentList.Add(arg);
            }

            _agents.Add((id, home, Process.Start(start) ?? throw new InvalidOperationException("cannot start an agent")));
        }

        var deadline = Environment.TickCount64 + 180_000;
        var bound = new HashSet<string>();
        while (bound.Count < AgentCount)
        {
            foreach (var (id, home, process) in _agents.Where(a => !bound.Contains(a.Id)))
            {
                var log = Path.Combine(home, "agent.log");
                var text = File.Exists(log) ? File.ReadAllText(log) : "";
                if (text.Contains("Taking commands from RIPOSTE_CMD/agent-" + id, StringComparison.Ordinal))
                {
                    bound.Add(id);
                }
                else if (process.HasExited)
                {
                    throw new InvalidOperationException($"agent {id} exited with {process.ExitCode}: {text}");
                }
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"only {bound.Count} of {AgentCount} agents bound their consumer within 180 s");
            }

            await Task.Delay(200);
        }

        StartupSeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   fleet: nats-server {_nats.Url}, {AgentCount} agent processes bound their consumers {StartupSeconds:F1} s after starting ({Environment.ProcessorCount} cores)"));
        // Freshly started agents keep a core or two busy for about half a minute (the runtime tiering up their idle loops,
        // 50 at once on this machine): wait for that to pass, at most 60 s, so the rows measure agents in their steady state.
        var settle = Stopwatch.StartNew();
        double idle;
        do
        {
            var before = AgentCpuSeconds();
            var window = Stopwatch.StartNew();
            await Task.Delay(3000);
            idle = (AgentCpuSeconds() - before) / window.Elapsed.TotalSeconds * 100;
        }
        while (idle > 40 && settle.Elapsed < TimeSpan.FromSeconds(60));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   idle agents settled to {idle:F0}% of one core in all after {settle.Elapsed.TotalSeconds:F0} s"));
    }

    /// <summary>Counts every outcome agents publish (core NATS sees JetStream's messages too), by AR name, event and exit code.</summary>
    private async Task CountOutcomesAsync(CancellationToken stop)
    {
        try
        {
            await foreach (var msg in _connection!.SubscribeAsync<byte[]>(FleetNames.OutcomePrefix + "*", cancellationToken: stop))
            {
                if (msg.Data is { } data && JsonSerializer.Deserialize<AgentOutcome>(data) is { } outcome)
                {
                    _outcomes.AddOrUpdate($"{outcome.ArName} {outcome.Event} {outcome.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}", 1, (_, n) => n + 1);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// SIGSTOP every agent while the single-host baseline runs: single-host mode has no agents, and 50 of them on this
    /// machine would otherwise take their idle share from the baseline. Only between fleet rounds, with no command in flight.
    /// </summary>
    public void PauseAgents()
    {
        foreach (var (_, _, process) in _agents)
        {
            _ = kill(process.Id, 19);
        }
    }

    /// <summary>SIGCONT every agent, then a moment for their timers to catch up.</summary>
    public void ResumeAgents()
    {
        foreach (var (_, _, process) in _agents)
        {
            _ = kill(process.Id, 18);
        }

        Thread.Sleep(1000);
    }

    /// <summary>CPU seconds (user + system) the agent processes used so far, from /proc.</summary>
    public double AgentCpuSeconds() => _agents.Sum(a => CpuSeconds(a.Process.Id, children: false));

    /// <summary>CPU seconds the programs the agents ran (their reaped children) used so far.</summary>
    public double AgentProgramCpuSeconds() => _agents.Sum(a => CpuSeconds(a.Process.Id, children: true));

    /// <summary>CPU seconds nats-server used so far.</summary>
    public double NatsCpuSeconds() => _nats is { Pid: > 0 } nats ? CpuSeconds(nats.Pid, children: false) : 0;

    /// <summary>CPU seconds of one process from /proc (its own, or its reaped children's).</summary>
    public static double CpuSeconds(int pid, bool children)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var first = children ? 13 : 11;
            return (long.Parse(fields[first], CultureInfo.InvariantCulture) + long.Parse(fields[first + 1], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static void WriteProgram(string path, string script)
    {
        File.WriteAllText(path, script.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
            UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    private void KillAgents()
    {
        foreach (var (_, _, process) in _agents)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // SIGTERM each agent by pid (it finishes what it took and flushes outcomes), then SIGKILL whatever is left after 15 s.
        foreach (var (_, _, process) in _agents.Where(a => !a.Process.HasExited))
        {
            _ = kill(process.Id, 18);
            _ = kill(process.Id, 15);
        }

        var deadline = Environment.TickCount64 + 15_000;
        foreach (var (_, _, process) in _agents)
        {
            var left = (int)Math.Max(0, deadline - Environment.TickCount64);
            if (!process.WaitForExit(left))
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        await _stop.CancelAsync();
        foreach (var task in new[] { _service, _outcomeCounter })
        {
            if (task is not null)
            {
                try
                {
                    await task;
                }
                catch (Exception ex) when (ex is OperationCanceledException or NatsException)
                {
                }
            }
        }

        if (_view is not null)
        {
            await _view.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_nats is not null)
        {
            await _nats.DisposeAsync();
        }

        if (_managerHome is not null)
        {
            await _managerHome.DisposeAsync();
        }

        if (_singleHome is not null)
        {
            await _singleHome.DisposeAsync();
        }

        _stop.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
