using Microsoft.Extensions.Logging;
using Riposte.Backends;
using Riposte.Config;
using Riposte.Config.Settings;
using Riposte.Engine;
using Riposte.Execution;
using Riposte.Protocol.Execd;
using Riposte.State;

namespace Riposte.Cli.Daemon;

/// <summary>Builds the engine the same way for <c>serve</c>, <c>trigger</c> and <c>revoke</c>.</summary>
internal static class EngineFactory
{
    public static EngineOptions Options(RiposteHome home, WazuhConfig config)
    {
        var execution = home.Settings.Execution;
        return new EngineOptions
        {
            Home = home.Home,
            MaxParallel = execution.MaxParallel,
            Limits = new ProgramLimits(execution.ControlLineTimeout, execution.RunTimeout, execution.OutputLimitBytes),
            RevertOnShutdown = execution.RevertOnShutdown,
            RepeatedOffenders = config.Execd.RepeatedOffenders,
            ForgiveAfter = home.Settings.RepeatedOffenders.Mode == RepeatedOffenderMode.Decay ? home.Settings.RepeatedOffenders.ForgiveAfter : null,
            Policies = ar => home.Settings.PolicyFor(ar, CommandNameOf(config, ar)),
            Protected = new Safety.ProtectedAddresses(home.Settings.Safety.NeverBlockSelf, home.Settings.Safety.Allowlist, TimeProvider.System),
            WhiteList = config.WhiteList,
        };
    }

    /// <summary>
    /// The kernel sets of Riposte's own set-based programs installed under the home (a file of that name that is
    /// Riposte's <c>riposte-ar</c>): <c>nft-drop</c> → nftables, <c>ipset-drop</c> → ipset. A program replaced by
    /// something else keeps being spawned and is not reconciled.
    /// </summary>
    public static Dictionary<string, SetBackend> SetBackends(RiposteHome home, bool inProcess, ILoggerFactory loggers)
    {
        var sets = new Dictionary<string, SetBackend>(StringComparer.Ordinal);
        foreach (var (name, create) in new (string, Func<IBlockBackend>)[]
                 {
                     ("nft-drop", () => new NftSetBackend(null, loggers.CreateLogger<NftSetBackend>())),
                     ("ipset-drop", () => new IpsetBackend(null, loggers.CreateLogger<IpsetBackend>())),
                 })
        {
            if (IsRiposteProgram(Path.Combine(home.Home, ArCommandTable.BinDirectory, name)))
            {
                var backend = create();
                sets[name] = new SetBackend(backend, new BlockBatcher(backend, TimeProvider.System, null, loggers.CreateLogger<BlockBatcher>()), inProcess);
            }
        }

        return sets;
    }

    private static bool IsRiposteProgram(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        // The native multi-call binary carries its own name; a Wazuh stock program or a script does not.
        var bytes = File.ReadAllBytes(path);
        return bytes.Length > 4 && bytes[0] == 0x7F && bytes[1] == (byte)'E' && bytes.AsSpan().IndexOf("riposte-ar"u8) >= 0;
    }

    /// <summary>
    /// Sends <paramref name="request"/> to the daemon of <paramref name="layout"/>; when no daemon runs, runs
    /// <paramref name="local"/> on an engine of this process, which then owns the state (its lock) for the moment. A
    /// daemon that is starting holds the lock before its control socket is up: this waits for the socket rather than
    /// running a second engine on the same state. Returns the daemon's reply, or the local result, or an exit code when
    /// neither could be had within <paramref name="wait"/> (already reported).
    /// </summary>
    public static async Task<(ControlReply? Reply, T? Local, int? Exit)> RouteAsync<T>(RiposteHome layout, ControlRequest request, string[]? configFiles,
        ConfigRole role, TimeSpan wait, CliIo io, Func<ResponseEngine, CancellationToken, Task<T>> local, CancellationToken cancellationToken)
        where T : class
    {
        var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        WazuhConfig? config = null;
        int? holder;
        do
        {
            if (await ControlClient.TrySendAsync(layout.ControlSocket, request, cancellationToken).ConfigureAwait(false) is { } reply)
            {
                return (reply, null, null);
            }

            // The configuration before the lock: taking the lock creates the state directory, and a command that cannot
            // run (no configuration at all, e.g. a wrong home) must leave the directory as it found it.
            config ??= LoadConfig(layout, configFiles, io, role);
            if (config is null)
            {
                return (null, null, ExitCodes.InvalidInput);
            }

            using var owned = StateLock.TryAcquire(layout.StatePath, out holder);
            if (owned is not null)
            {
                var result = await RunLocallyAsync(layout, config, role, local, cancellationToken).ConfigureAwait(false);
                return (null, result, null);
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        while (Environment.TickCount64 < deadline);

        io.Error.WriteLine($"the state {layout.StatePath} is owned by another Riposte process{(holder is { } pid ? $" (pid {pid})" : "")} that does not answer " +
            $"on {layout.ControlSocket}; try again once it has started");
        return (null, null, ExitCodes.Unavailable);
    }

    private static async Task<T> RunLocallyAsync<T>(RiposteHome layout, WazuhConfig config, ConfigRole role,
        Func<ResponseEngine, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
        where T : class
    {
        var (store, engine) = await CreateAsync(layout, config, role, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, cancellationToken)
            .ConfigureAwait(false);
        await using (store)
        await using (engine)
        {
            var result = await action(engine, cancellationToken).ConfigureAwait(false);
            await engine.StopAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
    }

    /// <summary>The command an AR name comes from: from the configuration, else the name without its timeout digits.</summary>
    internal static string CommandNameOf(WazuhConfig config, string arName) =>
        config.ActiveResponses.FirstOrDefault(r => r.Name == arName)?.CommandName
        ?? arName.TrimStart('!').TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9').TrimEnd('-');

    public static async Task<(SqliteStateStore Store, ResponseEngine Engine)> CreateAsync(RiposteHome home, WazuhConfig config,
        ConfigRole role, ILoggerFactory loggers, CancellationToken cancellationToken, IReadOnlyDictionary<string, SetBackend>? sets = null)
    {
        var store = await SqliteStateStore.OpenAsync(home.StatePath, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        var commands = Commands(home, config, role, loggers.CreateLogger("Riposte.Commands"));
        var engine = new ResponseEngine(Options(home, config) with { SetBackends = sets }, commands, store, new ProgramRunner(TimeProvider.System), TimeProvider.System,
            loggers.CreateLogger<ResponseEngine>());
        return (store, engine);
    }

    /// <summary>
    /// execd's command table. A manager's is what analysisd writes to ar.conf from ossec.conf; an agent's is the
    /// ar.conf the manager pushed (HOME/etc/shared/ar.conf).
    /// </summary>
    public static ArCommandTable Commands(RiposteHome home, WazuhConfig config, ConfigRole role, ILogger logger)
    {
        void Warn(string warning) => logger.LogWarning("{Warning}", warning);
        if (role == ConfigRole.Manager)
        {
            return ArCommandTable.FromConfig(home.Home, config, Warn);
        }

        var arConf = Path.Combine(home.Home, "etc", "shared", "ar.conf");
        if (!File.Exists(arConf))
        {
            logger.LogWarning("No {ArConf}: no AR command is known until the manager pushes it", arConf);
            return new ArCommandTable(home.Home, [], Warn);
        }

        // Bounded: a FIFO or a device there must not block the daemon or exhaust its memory.
        return ArCommandTable.FromArConfFile(home.Home, arConf, error => logger.LogError("{Error}", error), Warn);
    }

    /// <summary>Reads the Wazuh configuration (explicit files, else the settings' ossec.conf list); errors go to stderr.</summary>
    public static WazuhConfig? LoadConfig(RiposteHome home, string[]? files, CliIo io, ConfigRole role = ConfigRole.Manager)
    {
        var paths = files is { Length: > 0 } ? files : [.. home.OssecConf];
        var result = OssecConfigReader.ReadFiles(paths, role);
        foreach (var diagnostic in result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
        {
            io.Error.WriteLine(diagnostic.ToString());
        }

        // 1239: a file of the list is missing; with a fallback home it is most likely that the home is wrong.
        if (home.FallbackHint is { } hint && files is not { Length: > 0 } && result.Diagnostics.Any(d => d.Code == 1239))
        {
            io.Error.WriteLine(hint);
        }

        return result.Config;
    }
}
