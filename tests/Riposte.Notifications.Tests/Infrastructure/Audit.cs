using Microsoft.Extensions.Logging.Abstractions;
using Riposte.Config.Settings;
using Riposte.Notifications.Channels;
using Riposte.Notifications.Delivery;
using Riposte.State;

namespace Riposte.Notifications.Infrastructure;

/// <summary>A state store in a temporary directory, rows for its audit trail, and delivery over it.</summary>
internal sealed class Audit : IAsyncDisposable
{
    private Audit(SqliteStateStore store, TimeProvider time)
    {
        Store = store;
        Time = time;
    }

    public SqliteStateStore Store { get; }

    public TimeProvider Time { get; }

    public static async Task<Audit> OpenAsync(TimeProvider time)
    {
        var dir = Directory.CreateTempSubdirectory("riposte-notify-").FullName;
        var store = await SqliteStateStore.OpenAsync(System.IO.Path.Combine(dir, "state.db"), time);
        return new Audit(store, time);
    }

    /// <summary>Appends a row of audit event <paramref name="auditEvent"/> (skip rows need a detail to tell refused from rate-limited).</summary>
    public ValueTask<long> AddAsync(string auditEvent, string key = "203.0.113.7", string response = "firewall-drop600", string? rule = "5712",
        string? detail = null) =>
        Store.AppendAuditAsync(new AuditRecord(0, Time.GetUtcNow(), auditEvent, key + "|" + response, "firewall-drop", response, "1700000000.1",
            [key], 0, 3, null, null, detail, "test", rule, rule is null ? null : 10));

    public (NotificationService Service, Task Run, CancellationTokenSource Stop) Deliver(params NotificationTarget[] targets) => Deliver(null, targets);

    public (NotificationService Service, Task Run, CancellationTokenSource Stop) Deliver(DeliveryOptions? options, params NotificationTarget[] targets)
    {
        var service = new NotificationService(targets, Store, Time, NullLogger.Instance,
            options ?? new DeliveryOptions(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), StartFromBeginning: true));
        var stop = new CancellationTokenSource();
        return (service, service.RunAsync(stop.Token), stop);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
    }

    public static NotificationTarget Webhook(Uri url, NotificationType type = NotificationType.Webhook) => new()
    {
        Name = "hook",
        Type = type,
        Url = url,
        Retry = new NotificationRetry { MaxAttempts = 3, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10) },
    };
}
