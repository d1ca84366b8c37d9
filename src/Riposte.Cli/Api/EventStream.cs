using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Riposte.Events;

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
        long start;
        var resume = request.Headers["Last-Event-ID"].ToString();
        var after = request.Query["after"].ToString();
        if (resume.Length > 0 || after.Length > 0)
        {
            // Last-Event-ID wins: it is what a reconnecting EventSource sends, after the ?after= of its first URL.
            if (!Paging.TryId(resume.Length > 0 ? resume : after, out start))
            {
                await ApiProblems.BadRequest("Last-Event-ID and after must be an event id (a whole number)").ExecuteAsync(context);
                return;
            }
        }
        else
        {
            start = await services.Feed.LatestIdAsync(context.RequestAborted);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var gate = new SemaphoreSlim(1, 1);
        await WriteAsync(response, gate, $"retry: 2000\n: riposte events after id {start.ToString(CultureInfo.InvariantCulture)}\n\n", stop.Token);

        var heartbeat = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Heartbeat, services.Time);
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                await WriteAsync(response, gate, ": heartbeat\n\n", stop.Token);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var e in services.Feed.FollowAsync(start, stop.Token))
            {
                var json = JsonSerializer.Serialize(e, ApiJson.Options);
                await WriteAsync(response, gate, $"id: {e.Id.ToString(CultureInfo.InvariantCulture)}\ndata: {json}\n\n", stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // The client went away mid-write.
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await heartbeat;
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
            }

            gate.Dispose();
        }
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
