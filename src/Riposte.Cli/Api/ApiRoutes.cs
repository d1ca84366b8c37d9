using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Riposte.Cli.Metrics;

namespace Riposte.Cli.Api;

/// <summary>Every route the API serves, in one place: the API, Wazuh's call, the OpenAPI document, <c>/metrics</c> and the dashboard.</summary>
internal static class ApiRoutes
{
    public static void AddServices(IServiceCollection services) => services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
    {
        document.Info.Title = "Riposte API";
        document.Info.Description = "Active responses, their history and live events; Wazuh's PUT /active-response. Every route but /healthz needs Authorization: Bearer <token>.";
        return Task.CompletedTask;
    }));

    public static void Map(WebApplication app)
    {
        // Errors the framework raises itself (a body over the limit, a route that does not exist) come out as
        // problem+json too.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseTokenAuth();

        app.MapGet("/healthz", () => TypedResults.Ok(new HealthReply("ok"))).WithSummary("Liveness; needs no token.");
        var v1 = app.MapGroup("/api/v1");
        ActiveEndpoints.Map(v1);
        HistoryEndpoints.Map(v1);
        EventStream.Map(v1);
        ActionEndpoints.Map(v1);
        AgentsEndpoints.Map(v1);
        WazuhEndpoints.Map(app);
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapRiposteMetrics();

        Dashboard.DashboardEndpoints.Map(app);
        app.MapFallback((HttpContext context) => ApiProblems.NotFound($"no such endpoint: {context.Request.Method} {context.Request.Path}"));
    }

    /// <summary>The body of <c>GET /healthz</c>.</summary>
    public sealed record HealthReply(string Status);
}
