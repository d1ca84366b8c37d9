using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Riposte.Cli.Api;

/// <summary>
/// Every route the API serves, in one place. <c>GET /metrics</c> and the dashboard at <c>/</c> are not here yet: each
/// lands as one line in <see cref="Map"/> (the dashboard's line replaces the reserved <c>/</c>).
/// </summary>
internal static class ApiRoutes
{
    public static void AddServices(IServiceCollection services)
    {
    }

    public static void Map(WebApplication app)
    {
        // Errors the framework raises itself (a body over the limit, a route that does not exist) come out as
        // problem+json too.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseTokenAuth();

        app.MapGet("/healthz", () => TypedResults.Ok(new HealthReply("ok")));
        var v1 = app.MapGroup("/api/v1");
        ActiveEndpoints.Map(v1);
        HistoryEndpoints.Map(v1);
        EventStream.Map(v1);

        Dashboard.DashboardEndpoints.Map(app);
        app.MapFallback((HttpContext context) => ApiProblems.NotFound($"no such endpoint: {context.Request.Method} {context.Request.Path}"));
    }

    /// <summary>The body of <c>GET /healthz</c>.</summary>
    public sealed record HealthReply(string Status);
}
