using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Riposte.Config;
using Riposte.Engine;
using Riposte.Fleet.Agent;
using Riposte.Fleet.Manager;
using Riposte.Fleet.Registry;
using Riposte.Fleet.View;
using Riposte.Fleet.Transport;
using NATS.Client.Core;
using Riposte.Inputs;
using Riposte.Notifications.Delivery;
using Riposte.Protocol.Execd;
using Riposte.State;

namespace Riposte.Cli.Daemon;

/// <summary>What <c>riposte serve</c> was asked to do.</summary>
internal sealed record ServeOptions(RiposteHome Home, string[] ConfigFiles, ConfigRole Role, string? Alerts, bool FromStart, bool ExecQueue, bool UntilIdle,
    bool InProcess = true, FleetDaemonOptions? Fleet = null, Api.ApiOptions? Api = null);

/// <summary>
/// <c>riposte serve</c>: the engine plus its inputs (a tailed alerts.json, stdin, Wazuh's exec queue) and the control
/// socket. SIGHUP reloads the configuration and the settings file's notification channels (a bad file is rejected and
/// the old configuration kept); SIGTERM/SIGINT stop cleanly.
/// </summary>
internal sealed class DaemonHost
{
    /// <summary>How long <c>serve</c> waits for the state's lock before giving up.</summary>
    private static readonly TimeSpan StateLockWait = TimeSpan.FromSeconds(10);

    private static readonly List<PosixSignalRegistration> Registrations = [];

    private readonly ServeOptions _options;
    private readonly CliIo _io;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;

    // Set once the tailed alerts file's start position is chosen and saved (the tailer's input is then open).
    private readonly TaskCompletionSource _tailOpen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DaemonHost(ServeOptions options, CliIo io, ILoggerFactory loggers)
    {
        _options = options;
        _io = io;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Riposte.Serve");
    }

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var layout = _options.Home;
        if (EngineFactory.LoadConfig(layout, _options.ConfigFiles, _io, _options.Role) is not { } config)
        {
            return ExitCodes.InvalidInput;
        }

        // One engine per state: a second one would schedule deletes the first never hears of (and miss its own).
        using var stateLock = await AcquireStateAsync(layout, cancellationToken);
        if (stateLock is null)
        {
            return ExitCodes.Unavailable;
        }

        // Never disposed: the signal handlers outlive RunAsync (see KeepForProcessLifetime), and cancelling a disposed
        // source on the signal thread would abort the process.
        var stop = new CancellationTokenSource();
        await using var external = cancellationToken.Register(() => stop.Cancel());
        var sets = EngineFactory.SetBackends(layout, _options.InProcess, _loggers);
        Metrics.MetricsExposition.StartIfServed(layout.Settings);
        if (_options.Api is not null)
        {
            // The API serves /metrics too (an --api flag, not only the settings' api.listen).
            Metrics.MetricsExposition.Start();
        }
        var (store, engine) = await EngineFactory.CreateAsync(layout, config, _options.Role, _loggers, cancellationToken, sets);
        await using (store)
        await using (engine)
        {
            await engine.StartAsync(cancellationToken);
            if (sets.Count > 0)
            {
                // After a reboot or a firewall flush the sets are empty: everything active goes back in one transaction.
                await engine.ReconcileAsync(cancellationToken);
            }

            await using var nats = await ConnectFleetAsync(layout, stop.Token);
            if (_options.Fleet is not null && nats is null)
            {
                await engine.StopAsync(CancellationToken.None);
                return stop.IsCancellationRequested ? ExitCodes.Ok : ExitCodes.Unavailable;
            }

            await using var manager = await StartManagerAsync(layout, config, engine, nats, cancellationToken);
            if (_options.Fleet is { IsAgent: false } && manager is null)
            {
                await engine.StopAsync(CancellationToken.None);
                return ExitCodes.InvalidInput;
            }

            IAlertDispatcher dispatcher = (IAlertDispatcher?)manager?.Dispatcher ?? new AlertDispatcher(config, engine, _loggers.CreateLogger<AlertDispatcher>());
            await using var control = new ControlServer(layout.ControlSocket, engine, _logger);
            control.Start();
            await using var metrics = await Metrics.MetricsListener.StartAsync(layout, _logger, cancellationToken);
            await using var api = _options.Api is { } apiOptions ? await Api.ApiServer.StartAsync(apiOptions, layout, engine, store, dispatcher, _loggers, _io, cancellationToken, manager) : null;
            if (_options.Api is not null && api is null)
            {
                await engine.StopAsync(CancellationToken.None);
                return ExitCodes.Unavailable;
            }

            // Made before the signal handlers (SIGHUP applies the settings file's notifications to it); it runs below.
            await using var notifications = new NotificationService(layout.Settings.Notifications, store, TimeProvider.System, _loggers.CreateLogger("Riposte.Notify"),
                DeliveryOptions.Default with { Routing = new Riposte.Notifications.Filtering.NotifyRouting(layout.Settings) });
            var running = 1;
            var systemd = SystemdNotifier.FromEnvironment(_logger);
            KeepForProcessLifetime(
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); }),
                PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); }),
                PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
                {
                    c.Cancel = true;
                    if (Volatile.Read(ref running) == 1)
                    {
                        systemd.Reloading();
                        Reload(dispatcher, engine, store);
                        ReloadSettings(notifications);
                        manager?.ReloadRegistry();
                        systemd.Ready("Configuration reloaded (a rejected one leaves the previous one running)");
                    }
                }));

            var inputs = new List<Task>();
            if (_options.Alerts is "-")
            {
                inputs.Add(RunStdinAsync(dispatcher, stop.Token));
            }
            else if (_options.Alerts is { } path)
            {
                inputs.Add(RunTailAsync(path, dispatcher, store, stop.Token));
            }

            if (_options.ExecQueue)
            {
                inputs.Add(RunExecQueueAsync(engine, stop.Token));
            }

            if (_options.Fleet is { IsAgent: true } agentOptions)
            {
                var fleet = layout.Settings.Fleet;
                var agent = new FleetAgent(nats!, engine, store, new AgentOptions(agentOptions.AgentId!, fleet.AckWait, fleet.Heartbeat, RiposteVersion.Text),
                    TimeProvider.System, _loggers.CreateLogger("Riposte.Agent"));
                inputs.Add(agent.RunAsync(TimeSpan.FromSeconds(5), stop.Token));
            }

            var fleetWork = manager?.Service.RunAsync(stop.Token) ?? Task.CompletedTask;
            var housekeeping = RunHousekeepingAsync(store, engine, sets.Count > 0, stop.Token);
            var eventsFile = Events.EventsFileWriter.Start(layout.Home, store, _loggers.CreateLogger("Riposte.Events"));
            // On a manager the agents' outcomes (and expired, late, undeliverable commands) reach Wazuh too.
            var fleetEventsFile = manager is null ? null
                : Events.EventsFileWriter.Start(layout.Home, store, _loggers.CreateLogger("Riposte.Events"), new FleetEventSource(manager.View));
            var notifying = notifications.RunAsync(stop.Token);

            // systemd hears READY=1 only once the inputs are open (the tail's start chosen, the exec queue bound just
            // above) and engine.StartAsync has scheduled overdue deletes: after `systemctl start`, every new alert counts.
            if (_options.Alerts is null or "-")
            {
                _tailOpen.TrySetResult();
            }

            await Task.WhenAny(_tailOpen.Task, Task.WhenAll(inputs));
            _logger.LogInformation("Started (pid: {Pid}); home {Home}; {Count} active responses configured", Environment.ProcessId, layout.Home,
                config.ActiveResponses.Count);
            // Not the command's token: a SIGTERM from here on must reach the clean stop below, not end the run with an exception.
            ServePlan.Log(_logger, _options, config, await store.CountTimeoutsAsync(CancellationToken.None));
            systemd.Ready($"Running; {config.ActiveResponses.Count} active responses configured");
            await using var stopping = stop.Token.Register(systemd.Stopping);

            if (_options.UntilIdle)
            {
                await Task.WhenAll(inputs);
                await stop.CancelAsync();
            }
            else
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }

                await Task.WhenAll(inputs);
            }

            await (api?.DisposeAsync() ?? ValueTask.CompletedTask);
            await housekeeping;
            await notifying;
            await fleetWork;
            Volatile.Write(ref running, 0);
            await engine.StopAsync(CancellationToken.None);
            await eventsFile.StopAsync();
            if (fleetEventsFile is not null)
            {
                await fleetEventsFile.StopAsync();
            }
            foreach (var set in sets.Values)
            {
                await set.Batcher.DisposeAsync();
            }

            _logger.LogInformation("Stopped; {Count} active responses (timeout entries, each undone when its time is up) kept for the next start",
                await store.CountTimeoutsAsync(CancellationToken.None));
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// The state's lock, waiting a little for a <c>trigger</c> or <c>revoke</c> that holds it for a moment; null (reported)
    /// when another process keeps it, such as a second daemon on the same home.
    /// </summary>
    private async Task<StateLock?> AcquireStateAsync(RiposteHome layout, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)StateLockWait.TotalMilliseconds;
        var told = false;
        while (true)
        {
            if (StateLock.TryAcquire(layout.StatePath, out var holder) is { } acquired)
            {
                return acquired;
            }

            var who = $"another Riposte process{(holder is { } pid ? $" (pid {pid})" : "")}";
            if (Environment.TickCount64 >= deadline)
            {
                _io.Error.WriteLine($"{who} owns the state {layout.StatePath}; stop it first (one daemon per home)");
                return null;
            }

            if (!told)
            {
                _logger.LogInformation("Waiting for {Who} to release the state {Path}", who, layout.StatePath);
                told = true;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>
    /// Signal handlers stay registered until the process ends: once the last registration is gone the runtime's default
    /// applies again, and a SIGTERM that arrives while the stopped daemon exits would end it with status 143 instead of 0.
    /// The handlers only cancel a source that is never disposed, so late signals are harmless.
    /// </summary>
    private static void KeepForProcessLifetime(params PosixSignalRegistration[] registrations)
    {
        lock (Registrations)
        {
            Registrations.AddRange(registrations);
        }
    }

    /// <summary>
    /// The fleet's NATS connection, once the server accepts it (null without a fleet). Waits for a server that is down,
    /// but gives up (reported, null) when it refuses the credentials: retrying cannot fix those.
    /// </summary>
    private async Task<NatsConnection?> ConnectFleetAsync(RiposteHome layout, CancellationToken cancellationToken)
    {
        if (_options.Fleet is not { } fleet || fleet.Connection(layout, _io) is not { } connection)
        {
            return null;
        }

        var nats = FleetConnection.Create(connection);
        var told = false;
        while (true)
        {
            try
            {
                await nats.ConnectAsync();
                _logger.LogInformation("Connected to NATS at {Url} as {Name}", nats.ServerInfo?.Host is { } host ? $"{host}:{nats.ServerInfo.Port}" : connection.Url,
                    connection.Credentials?.User ?? connection.Name);
                return nats;
            }
            catch (NatsException ex) when (IsAuthorizationError(ex))
            {
                _io.Error.WriteLine($"NATS at {connection.Url} refused this {(fleet.IsAgent ? "agent" : "manager")}'s credentials " +
                    $"({Innermost(ex).Message}); check --credentials and that nats-server was reloaded after `riposte fleet add-agent`");
                await nats.DisposeAsync();
                return null;
            }
            catch (NatsException ex)
            {
                if (!told)
                {
                    _logger.LogWarning("NATS at {Url} is not reachable ({Error}); retrying until it is", connection.Url, Innermost(ex).Message);
                    told = true;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    await nats.DisposeAsync();
                    return null;
                }
            }
        }

        static Exception Innermost(Exception ex) => ex.InnerException is { } inner ? Innermost(inner) : ex;

        static bool IsAuthorizationError(Exception ex) =>
            Innermost(ex).Message.Contains("authorization", StringComparison.OrdinalIgnoreCase)
            || Innermost(ex).Message.Contains("authentication", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A fleet manager's parts (null without <c>--nats</c>): the fleet view, the streams and consumers, the dispatcher
    /// that routes to agents. A registry that cannot be read is reported and null returned.
    /// </summary>
    private async Task<ManagerParts?> StartManagerAsync(RiposteHome layout, WazuhConfig config, ResponseEngine engine, NatsConnection? nats,
        CancellationToken cancellationToken)
    {
        if (_options.Fleet is not { IsAgent: false } || nats is null)
        {
            return null;
        }

        var paths = FleetPaths.For(layout.Home, layout.StatePath);
        if (LoadRegistry(paths) is not { } registry)
        {
            return null;
        }

        var node = FleetDaemonOptions.NodeName(layout);
        var logger = _loggers.CreateLogger("Riposte.Manager");
        var view = await FleetStore.OpenAsync(paths.FleetState, TimeProvider.System, cancellationToken);
        var service = new FleetManagerService(nats, view, FleetDaemonOptions.Streams(layout), node, TimeProvider.System, logger);
        try
        {
            await service.PrepareAsync(registry, cancellationToken);
        }
        catch (NatsException ex)
        {
            _io.Error.WriteLine($"cannot set up the fleet's streams on NATS: {ex.Message} (is JetStream enabled on the server?)");
            await view.DisposeAsync();
            return null;
        }

        var publisher = new CommandPublisher(service.JetStream, node, logger);
        var remoted = RemotedBridge.Create(layout.Home, layout.Settings.Fleet.RemotedQueue, view, _loggers.CreateLogger("Riposte.Remoted"));
        var dispatcher = new FleetDispatcher(config, registry, engine, publisher, view,
            new FleetDispatchOptions(node, layout.Settings.Fleet.CommandTtl, (ar, command) => layout.Settings.PolicyFor(ar, command)),
            remoted is null ? null : remoted.SendAsync, TimeProvider.System, logger);
        logger.LogInformation("Fleet manager {Node}: {Agents} agents enrolled{Bridge}", node, registry.Agents.Count,
            remoted is null ? "" : "; Wazuh agents through remoted");
        return new ManagerParts(dispatcher, service, view, registry, () => LoadRegistry(paths), remoted, logger, publisher);
    }

    private AgentRegistry? LoadRegistry(FleetPaths paths)
    {
        try
        {
            return AgentRegistry.Load(paths.Registry);
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            _io.Error.WriteLine($"cannot read the agent registry: {ex.Message}");
            return null;
        }
    }

    private void Reload(IAlertDispatcher dispatcher, ResponseEngine engine, SqliteStateStore store)
    {
        var result = OssecConfigReader.ReadFiles(_options.ConfigFiles is { Length: > 0 } files ? files : [.. _options.Home.OssecConf], _options.Role);
        if (result.Config is null)
        {
            foreach (var diagnostic in result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
            {
                _logger.LogError("Reload rejected: {Diagnostic}", diagnostic.ToString());
            }

            _logger.LogError("Configuration reload rejected; the previous configuration keeps running");
            return;
        }

        dispatcher.Reload(result.Config);
        engine.UpdateCommands(EngineFactory.Commands(_options.Home, result.Config, _options.Role, _logger));
        _logger.LogInformation("Configuration reloaded: {Count} active responses", result.Config.ActiveResponses.Count);
        // Reload is synchronous (the SIGHUP handler calls it); the count is one short read on the store's reader, so
        // waiting for it here costs nothing worth an async path.
        ServePlan.Log(_logger, _options, result.Config, store.CountTimeoutsAsync().AsTask().GetAwaiter().GetResult());
    }

    /// <summary>
    /// Reads the settings file again and applies its <c>notifications</c> to <paramref name="notifications"/>; a file
    /// that does not load is rejected (its errors logged as <c>riposte validate</c> prints them) and the channels keep
    /// running. Other sections are not applied live: a change to them is logged as needing a restart. Never waits for
    /// a channel: stopped channels end on their own tasks (a send in progress is cancelled).
    /// </summary>
    private void ReloadSettings(NotificationService notifications)
    {
        var layout = _options.Home;
        if (layout.SettingsFile is not { } file)
        {
            return;
        }

        var (settings, diagnostics) = RiposteHome.ReadSettings(file, layout.SettingsGiven);
        if (settings is null)
        {
            foreach (var diagnostic in diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
            {
                _logger.LogError("Settings reload rejected: {Diagnostic}", diagnostic.ToString());
            }

            _logger.LogError("Settings reload of {File} rejected; the previous notification channels keep running", file);
            return;
        }

        foreach (var diagnostic in diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning))
        {
            _logger.LogWarning("Settings reload: {Diagnostic}", diagnostic.ToString());
        }

        var changed = Riposte.Config.Settings.SettingsEquality.ChangedSections(layout.Settings, settings, "notifications");
        if (changed.Count > 0)
        {
            _logger.LogWarning("Settings reload: {Sections} changed in {File}; only notifications apply on reload, restart riposte serve to apply {Them}",
                string.Join(", ", changed), file, changed.Count == 1 ? "it" : "them");
        }

        Task<NotificationChanges> applying;
        try
        {
            applying = notifications.ApplyAsync(settings.Notifications);
        }
        catch (Exception ex)
        {
            // A channel that cannot be made: nothing was changed. An exception must not leave the signal handler.
            _logger.LogError("Settings reload rejected: notifications: {Error}; the previous notification channels keep running", ex.Message);
            return;
        }

        _ = applying.ContinueWith(t => _logger.LogError(t.Exception, "Notifications reload failed"), CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private async Task RunStdinAsync(IAlertDispatcher dispatcher, CancellationToken cancellationToken)
    {
        var source = new StdinAlertSource(_io.OpenInput());
        var pending = new List<Task>();
        try
        {
            await foreach (var line in source.ReadAsync(cancellationToken))
            {
                if (line.Alert is null)
                {
                    _logger.LogWarning("stdin:{Line}: malformed alert at byte offset {Offset}: {Error}", line.LineNumber, line.ByteOffset, line.Error);
                    continue;
                }

                // Not the stop token: stdin cannot replay, so a graceful stop runs what was read rather than dropping it.
                pending.Add(dispatcher.DispatchAsync(line.Alert, "stdin", replayable: false, CancellationToken.None));
                pending.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await WhenAllSafe(pending);
    }

    private async Task RunTailAsync(string path, IAlertDispatcher dispatcher, SqliteStateStore store, CancellationToken cancellationToken)
    {
        var sourceName = "file:" + Path.GetFullPath(path);
        var checkpoint = await store.GetCheckpointAsync(sourceName, cancellationToken);
        var resume = checkpoint is null ? null : new TailPosition(checkpoint.FileIdentity, checkpoint.Offset);
        var tailer = new AlertFileTailer(path, TimeProvider.System, new TailerOptions
        {
            StartAtEnd = !_options.FromStart,
            StopAtEnd = _options.UntilIdle,
            // Saved before the first line: a restart (or a crash before the first line is done) resumes here rather
            // than jumping to the end again past what was written in between.
            StartChosen = async (start, token) =>
            {
                await store.SetCheckpointAsync(new SourceCheckpoint(sourceName, start.FileIdentity, start.Offset), token);
                _tailOpen.TrySetResult();
                _logger.LogInformation("Following {Path} from {Where}", path,
                    start.FileIdentity.Length == 0 ? "its beginning once it exists" : $"byte {start.Offset} of file {start.FileIdentity}");
            },
        });

        // Lines finish out of order; the checkpoint only moves past a line once everything before it is done.
        var ordered = Channel.CreateBounded<(Task Done, TailPosition After)>(256);
        var committer = Task.Run(async () =>
        {
            await foreach (var (done, after) in ordered.Reader.ReadAllAsync(CancellationToken.None))
            {
                try
                {
                    await done;
                }
                catch (OperationCanceledException)
                {
                    // Stopping: this line was not fully handled, so the checkpoint stays before it.
                    break;
                }
                catch (Exception ex)
                {
                    _logger.LogError(ex, "Alert handling failed");
                }

                await store.SetCheckpointAsync(new SourceCheckpoint(sourceName, after.FileIdentity, after.Offset), CancellationToken.None);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var tailed in tailer.ReadAsync(resume, cancellationToken))
            {
                var line = tailed.Line;
                Task done;
                if (line.Alert is null)
                {
                    _logger.LogWarning("{Path}:{Line}: malformed alert at byte offset {Offset}: {Error}", path, line.LineNumber, line.ByteOffset, line.Error);
                    done = Task.CompletedTask;
                }
                else
                {
                    done = dispatcher.DispatchAsync(line.Alert, "alerts.json", replayable: true, cancellationToken);
                }

                await ordered.Writer.WriteAsync((done, tailed.PositionAfter), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }

        ordered.Writer.Complete();
        await committer;
    }

    private async Task RunExecQueueAsync(ResponseEngine engine, CancellationToken cancellationToken)
    {
        using var listener = new ExecQueueListener(_options.Home.ExecQueue, _loggers.CreateLogger<ExecQueueListener>());
        var pending = new List<Task>();
        try
        {
            await foreach (var message in listener.ReadAsync(cancellationToken))
            {
                if (message.Truncated)
                {
                    _logger.LogError("Exec queue message longer than 65536 bytes was truncated by the kernel; dropped");
                    continue;
                }

                _logger.LogDebug("Received message: '{Message}'", System.Text.Encoding.UTF8.GetString(message.Body.Span));
                // Not the stop token: a datagram cannot be read again, so a graceful stop runs what was received.
                pending.Add(engine.ExecuteAsync(new ExecRequest(message.Body.ToArray(), "execq"), CancellationToken.None));
                pending.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await WhenAllSafe(pending);
    }

    /// <summary>
    /// Every 5 minutes, reconciles Riposte's own sets with the state; hourly, forgets replay decisions older than a
    /// week (an alert is only replayed from a file position saved moments before, so old decisions never match again).
    /// </summary>
    private async Task RunHousekeepingAsync(SqliteStateStore store, ResponseEngine engine, bool reconcile, CancellationToken cancellationToken)
    {
        var round = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMinutes(5), TimeProvider.System, cancellationToken);
                if (reconcile)
                {
                    await engine.ReconcileAsync(cancellationToken);
                }

                if (round++ % 12 != 0)
                {
                    continue;
                }

                var pruned = await store.PruneDecisionsAsync(TimeProvider.System.GetUtcNow() - TimeSpan.FromDays(7), cancellationToken);
                if (pruned > 0)
                {
                    _logger.LogInformation("Pruned {Count} replay decisions older than 7 days", pruned);
                }

            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WhenAllSafe(List<Task> tasks)
    {
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
