using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Riposte.Cli.Api;

/// <summary>Bearer-token authentication in front of every route but the open ones (<see cref="OpenPaths"/>).</summary>
internal static class ApiAuth
{
    /// <summary>GET-only paths anyone who can reach the port may read: liveness, nothing about the host's responses.</summary>
    public static readonly HashSet<string> OpenPaths = new(StringComparer.Ordinal) { "/healthz" };

    public static void UseTokenAuth(this WebApplication app)
    {
        var token = app.Services.GetRequiredService<ApiToken>();
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            // Wazuh's login checks the token itself, sent the way Wazuh's clients send credentials (HTTP Basic).
            if ((HttpMethods.IsGet(request.Method) && OpenPaths.Contains(request.Path.Value ?? "")) || request.Path.Value == WazuhEndpoints.LoginPath)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            string? detail = null;
            var header = request.Headers.Authorization.ToString();
            if (header.Length == 0)
            {
                detail = "this endpoint needs an Authorization: Bearer <token> header (the token is in the daemon's API token file)";
            }
            else if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                detail = "the Authorization header must use the Bearer scheme";
            }
            else if (!token.Matches(header.AsSpan(7).Trim()))
            {
                detail = "the bearer token is not the one in the daemon's API token file";
            }

            if (detail is null)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            context.Response.Headers.WWWAuthenticate = detail.Contains("not the one", StringComparison.Ordinal)
                ? "Bearer error=\"invalid_token\"" : "Bearer";
            await ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail).ExecuteAsync(context).ConfigureAwait(false);
        });
    }
}
