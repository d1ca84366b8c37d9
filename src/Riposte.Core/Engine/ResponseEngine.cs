using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Riposte.Execution;
using Riposte.Protocol.Execd;
using Riposte.State;

namespace Riposte.Engine;

/// <summary>
/// wazuh-execd, durable: runs response programs with execd's exact protocol, keeps the timeout list, repeated-offender
/// counters and an audit trail in SQLite, and deletes each stateful response when its time is up, across restarts.
/// Different rkeys run in parallel (bounded); one rkey is strictly ordered.
/// </summary>
public sealed partial class ResponseEngine : IAsyncDisposable
{
    private readonly EngineOptions _options;
    private volatile ArCommandTable _commands;
    private readonly SqliteStateStore _store;
    private readonly ProgramRunner _runner;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly KeyedLock _locks = new();
    private readonly ArrivalOrder _order = new();
    private readonly ExpiryScheduler _scheduler;
    private readonly RepeatedOffenderPolicy _offenders;
    private readonly ConcurrentDictionary<string, int> _deleteFailures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly AuditWriter _audit;
    private readonly Safety.EnforcementGuard _guard;
    private int _stopped;

    /// <summary>Creates an engine; call <see cref="StartAsync"/> before sending requests.</summary>
    public ResponseEngine(EngineOptions options, ArCommandTable commands, SqliteStateStore store, ProgramRunner runner,
        TimeProvider timeProvider, ILogger<ResponseEngine>? logger = null)
    {
        _options = options;
        _commands = commands;
        _store = store;
        _runner = runner;
        _time = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _slots = new SemaphoreSlim(Math.Max(1, options.MaxParallel));
        _offenders = new RepeatedOffenderPolicy(options.RepeatedOffenders, options.ForgiveAfter);
        _scheduler = new ExpiryScheduler(timeProvider, OnDue);
        _audit = new AuditWriter(store, _logger);
        _guard = new Safety.EnforcementGuard(options.Protected, options.WhiteList, timeProvider);
        Log = new ActiveResponsesLog(options.Home, timeProvider, _logger);
    }

    /// <summary>The program log Riposte adds its own decision lines to.</summary>
    public ActiveResponsesLog Log { get; }

    /// <summary>Uses a new command table (after a configuration reload); runs in progress keep the one they started with.</summary>
    public void UpdateCommands(ArCommandTable commands) => _commands = commands;

    /// <summary>Keys waiting for their delete.</summary>
    public int ScheduledCount => _scheduler.Count;

    /// <summary>Loads the timeout list and schedules every delete; overdue deletes (after a stop or a crash) run now.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var entries = await _store.ListScheduleAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var overdue = 0;
        var reapplied = new List<Task>();
        foreach (var entry in entries)
        {
            if (entry.Status == EntryStatus.Pending)
            {
                // The engine stopped between recording the intent and the program's end: the program may never have read
                // its continue, so the block may not be in place. Adds are idempotent: run it again, then count it active.
                // An expired one is only undone; Riposte's own sets are refilled by reconciliation.
                if (entry.ExpiresAt > now)
                {
                    reapplied.Add(ReapplyAsync(entry.RKey, cancellationToken));
                }
                else
                {
                    await LapseAsync(entry.RKey, cancellationToken).ConfigureAwait(false);
                }
            }

            var due = entry.Status == EntryStatus.Deleting ? now.AddMilliseconds(-1) : entry.ExpiresAt;
            if (due < now)
            {
                overdue++;
            }

            _scheduler.Schedule(entry.RKey, due);
        }

        if (_options.ForgiveAfter is { } quiet)
        {
            await _store.ForgiveOffendersAsync(now - quiet, cancellationToken).ConfigureAwait(false);
        }

        await Task.WhenAll(reapplied).ConfigureAwait(false);
        _scheduler.Start();
        _logger.LogInformation("Loaded {Count} active responses ({Overdue} overdue, {Reapplied} re-applied)", entries.Count, overdue, reapplied.Count);
    }

    /// <summary>
    /// Runs one exec-queue message to completion. Stateful requests that may act on the same rkey (same program, same
    /// target) run in the order of their calls, whatever waits in between; others run in parallel up to the slot limit.
    /// </summary>
    /// <param name="request">The message and where it came from.</param>
    /// <param name="cancellationToken">
    /// Gives up waiting for the request's turn or a slot (it then throws <see cref="OperationCanceledException"/> and
    /// nothing is recorded, so a replayable input is applied on the next start). A program that has started is not
    /// cancelled by it: it runs to its end or its time limit, and its outcome is recorded.
    /// </param>
    public async Task<ExecOutcome> ExecuteAsync(ExecRequest request, CancellationToken cancellationToken)
    {
        // Everything up to the turn is synchronous: the call order is the arrival order.
        var message = ExecdMessage.TryParse(request.Body.Span, out var parsed, out var parseError) ? parsed : null;
        var command = message is null || message.CommandName == RestartWazuh ? null : _commands.Resolve(message.CommandName);
        // Only a stateful command's outcome depends on what ran before it (continue or abort); stateless runs, as in
        // the exec-overhead benchmark's identical requests, stay parallel.
        using var turn = command is { ProgramPath.Length: > 0, TimeoutSeconds: > 0 } ? _order.Enter(OrderKey(command, message!)) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var task = ExecuteCoreAsync(request, new Admission(message, parseError, command, turn), linked.Token);
        _background.TryAdd(task, 0);
        try
        {
            return await task.ConfigureAwait(false);
        }
        finally
        {
            _background.TryRemove(task, out _);
        }
    }

    /// <summary>
    /// What orders requests: the program and the target it acts on. The rkey is only known once the program prints its
    /// keys, but a program's keys come from the alert's address or user, so requests that could share an rkey share this.
    /// </summary>
    private static string OrderKey(ArCommand command, ExecdMessage message) =>
        string.Concat(command.ProgramPath, "\0", message.TargetIp, "\0", message.DstUser);

    /// <summary>Runs the delete of every entry matching <paramref name="rkeyOrKey"/> now (an rkey, or one of its keys such as an IP).</summary>
    public async Task<IReadOnlyList<ExecOutcome>> RevokeAsync(string rkeyOrKey, CancellationToken cancellationToken)
    {
        var entries = await _store.FindTimeoutsByKeyAsync(rkeyOrKey, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<ExecOutcome>();
        foreach (var entry in entries)
        {
            outcomes.Add(await DeleteAsync(entry.RKey, DeleteReason.Revoke, cancellationToken).ConfigureAwait(false));
        }

        return outcomes;
    }

    /// <summary>Stops: waits for running programs; reverts every active response only when configured to (Wazuh always does).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _scheduler.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_background.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_options.RevertOnShutdown)
        {
            Log.Write("(1314): Shutdown received. Deleting responses.");
            foreach (var entry in await _store.ListTimeoutsAsync(cancellationToken).ConfigureAwait(false))
            {
                await DeleteAsync(entry.RKey, DeleteReason.Shutdown, cancellationToken).ConfigureAwait(false);
            }
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _audit.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _stopped) == 0)
        {
            // Disposal without StopAsync is a crash-like stop: running programs are cancelled (killed).
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _scheduler.DisposeAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(_background.Keys).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await _audit.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
        _slots.Dispose();
    }

    private ValueTask OnDue(string rkey)
    {
        if (_stopping.IsCancellationRequested)
        {
            return ValueTask.CompletedTask;
        }

        Track(DeleteAsync(rkey, DeleteReason.Timeout, _stopping.Token));
        return ValueTask.CompletedTask;
    }

    private void Track(Task task)
    {
        _background.TryAdd(task, 0);
        task.ContinueWith(t => _background.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private ProgramInvocation Invocation(string program) => new(_options.Home, program);

    private Config.Settings.ResponsePolicy PolicyFor(string arName) => _options.Policies?.Invoke(arName) ?? Config.Settings.ResponsePolicy.Default;

    private async Task AuditAsync(string @event, string? rkey, string program, string? arName, string? alertId, IReadOnlyList<string> keys,
        ProgramRunResult? run, string? detail, string? source, AlertRule rule = default)
    {
        await _audit.AppendAsync(new AuditRecord(0, _time.GetUtcNow(), @event, rkey, program, arName, alertId, keys,
            run?.ExitCode, (long)(run?.Elapsed.TotalMilliseconds ?? 0), run?.Stdout, run?.Stderr, detail, source, rule.Id, rule.Level)).ConfigureAwait(false);
    }
}
