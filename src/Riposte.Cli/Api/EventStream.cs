using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Riposte.Events;
using Riposte.Fleet.View;

namespace Riposte.Cli.Api;

/// <summary>
/// <c>GET /api/v1/events</c>: every new <see cref="ResponseEvent"/> as server-sent events (<c>id:</c> is the event id),
/// resumable with <c>Last-Event-ID</c> or <c>?after=</c>, with a comment line as heartbeat so proxies keep it open.
/// </summary>
internal static class EventStream
{
    /// <summary>How often an idle stream gets a heartbeat comment.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static void Map(RouteGroupBuilder v1) =>
        v1.MapGet("/events", StreamAsync).WithSummary("Live events as text/event-stream; resume with Last-Event-ID or ?after=.")
            .Produces<ResponseEvent>(StatusCodes.Status200OK, "text/event-stream").ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task StreamAsync(HttpContext context, ApiServices services, IHostApplicationLifetime lifetime)
    {
        var request = context.Request;
        // On a manager the stream carries the agents' events too: the id is then "LOCAL.FLEET", a position in each log.
        using var fleetFeed = services.Fleet is { } fleet ? new ResponseEventFeed(new FleetEventSource(fleet), services.Time) : null;
        long start;
        long? fleetStart = null;
        var resume = request.Headers["Last-Event-ID"].ToString();
        var after = request.Query["after"].ToString();
        if (resume.Length > 0 || after.Length > 0)
        {
            // Last-Event-ID wins: it is what a reconnecting EventSource sends, after the ?after= of its first URL.
            if (!TryPosition(resume.Length > 0 ? resume : after, out start, out fleetStart))
            {
                await ApiProblems.BadRequest("Last-Event-ID and after must be an event id (a whole number, or LOCAL.FLEET on a fleet manager)")
                    .ExecuteAsync(context);
                return;
            }
        }
        else
        {
            start = await services.Feed.LatestIdAsync(context.RequestAborted);
        }

        if (fleetFeed is not null)
        {
            fleetStart ??= await fleetFeed.LatestIdAsync(context.RequestAborted);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var gate = new SemaphoreSlim(1, 1);
        var position = new Position(start, fleetFeed is null ? null : fleetStart);
        await WriteAsync(response, gate, $"retry: 2000\n: riposte events after id {position}\n\n", stop.Token);

        var heartbeat = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Heartbeat, services.Time);
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                await WriteAsync(response, gate, ": heartbeat\n\n", stop.Token);
            }
        }, CancellationToken.None);

        var pumps = new List<Task> { PumpAsync(services.Feed, start, response, gate, position, fleetLog: false, stop.Token) };
        if (fleetFeed is not null)
        {
            pumps.Add(PumpAsync(fleetFeed, fleetStart!.Value, response, gate, position, fleetLog: true, stop.Token));
        }

        try
        {
            // Either ending (the client gone, the daemon stopping) ends the stream.
            await Task.WhenAny(pumps);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var task in pumps.Append(heartbeat))
            {
                try
                {
                    await task;
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                }
            }

            gate.Dispose();
        }
    }

    /// <summary>Writes each event of <paramref name="feed"/>; the frame's id is the position in both logs after it.</summary>
    private static async Task PumpAsync(ResponseEventFeed feed, long after, HttpResponse response, SemaphoreSlim gate, Position position, bool fleetLog,
        CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in feed.FollowAsync(after, cancellationToken))
            {
                var json = JsonSerializer.Serialize(e, ApiJson.Options);
                await gate.WaitAsync(cancellationToken);
                try
                {
                    position.Advance(fleetLog, e.Id);
                    await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"id: {position}\ndata: {json}\n\n"), cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // Cancelled, or the client went away mid-write.
        }
    }

    /// <summary>"LOCAL" or "LOCAL.FLEET".</summary>
    private static bool TryPosition(string text, out long local, out long? fleet)
    {
        fleet = null;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return Paging.TryId(text, out local);
        }

        if (Paging.TryId(text[..dot], out local) && Paging.TryId(text[(dot + 1)..], out var f))
        {
            fleet = f;
            return true;
        }

        return false;
    }

    /// <summary>Where a stream is in this host's log and (on a manager) in the fleet's; changed only under the write gate.</summary>
    private sealed class Position(long local, long? fleet)
    {
        private long _local = local;
        private long? _fleet = fleet;

        public void Advance(bool fleetLog, long id)
        {
            if (fleetLog)
            {
                _fleet = id;
            }
            else
            {
                _local = id;
            }
        }

        public override string ToString() => _fleet is { } f
            ? string.Create(CultureInfo.InvariantCulture, $"{_local}.{f}")
            : _local.ToString(CultureInfo.InvariantCulture);
    }

    private static async Task WriteAsync(HttpResponse response, SemaphoreSlim gate, string text, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }
}
