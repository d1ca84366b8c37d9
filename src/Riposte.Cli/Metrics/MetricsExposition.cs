using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Riposte.Cli.Metrics;

/// <summary>
/// Riposte's metrics in the Prometheus text format, for any HTTP surface: the standalone <c>metrics.listen</c> endpoint
/// (<see cref="MetricsListener"/>) and the HTTP API, which maps it with <see cref="MapRiposteMetrics"/>.
/// </summary>
public static class MetricsExposition
{
    /// <summary>The exposition's media type (text format 0.0.4).</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// Starts collecting now (idempotent). Counts recorded before the first call are not seen, so a host calls this when
    /// it starts, not at the first scrape; <see cref="MapRiposteMetrics"/> and <see cref="MetricsListener"/> do.
    /// </summary>
    public static void Start() => _ = PrometheusBridge.Shared;

    /// <summary>
    /// Starts collecting when <paramref name="settings"/> serve metrics (<c>metrics.listen</c>, or the API that maps
    /// them): before the engine starts, so the start-up reconciliation after a reboot is counted too. Otherwise nothing
    /// listens and the instruments stay free.
    /// </summary>
    public static void StartIfServed(Config.Settings.RiposteSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Metrics.Listen is not null || settings.Api.Listen is not null)
        {
            Start();
        }
    }

    /// <summary>Writes the current values of every Riposte metric to <paramref name="destination"/>.</summary>
    public static Task WriteAsync(Stream destination, CancellationToken cancellationToken) =>
        PrometheusBridge.Shared.Registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    /// <summary>
    /// Maps <c>GET <paramref name="pattern"/></c> to the exposition and starts collecting. Authentication is the caller's:
    /// the API puts this behind its bearer-token check like every other route.
    /// </summary>
    public static IEndpointConventionBuilder MapRiposteMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Start();
        return endpoints.MapGet(pattern, WriteResponseAsync);
    }

    /// <summary>Answers one scrape.</summary>
    internal static async Task WriteResponseAsync(HttpContext context)
    {
        context.Response.ContentType = ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await WriteAsync(context.Response.Body, context.RequestAborted);
    }
}
