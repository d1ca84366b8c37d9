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
        var session = app.Services.GetRequiredService<Dashboard.DashboardSession>();
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var path = request.Path.Value ?? "";
            // Wazuh's login checks the token itself, sent the way Wazuh's clients send credentials (HTTP Basic); the
            // dashboard's paths check the browser session themselves (a stranger gets only the sign-in form).
            if ((HttpMethods.IsGet(request.Method) && OpenPaths.Contains(path)) || path == WazuhEndpoints.LoginPath || Dashboard.DashboardEndpoints.Paths.Contains(path))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            string? detail = null;
            var header = request.Headers.Authorization.ToString();
            if (header.Length == 0 && session.IsSignedIn(request))
            {
                // A signed-in browser. Its writes must carry the dashboard's header, which a cross-site form cannot send.
                if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || request.Headers.ContainsKey(Dashboard.DashboardSession.RequestHeader))
                {
                    await next(context).ConfigureAwait(false);
                    return;
                }

                await ApiProblems.Problem(StatusCodes.Status403Forbidden, "Forbidden",
                    $"a request authenticated by the dashboard's cookie that changes something must carry the {Dashboard.DashboardSession.RequestHeader} header").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            if (header.Length == 0)
            {
                detail = "this endpoint needs an Authorization: Bearer <token> header (the token is in the daemon's API token file)";
            }
            else if (!header.StartsWith(ApiToken.BearerScheme, StringComparison.OrdinalIgnoreCase))
            {
                detail = "the Authorization header must use the Bearer scheme";
            }
            else if (!token.MatchesAuthorization(header))
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
