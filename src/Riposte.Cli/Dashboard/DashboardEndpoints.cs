using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Riposte.Cli.Api;

namespace Riposte.Cli.Dashboard;

/// <summary>
/// The dashboard: one page and its script and style, embedded in the binary (nothing fetched at run time, no CDN),
/// served at <c>/</c> to a signed-in browser; anyone else gets only the sign-in form. The page reads the same API
/// as every other client.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>Paths that answer without a session: the sign-in form (served at <c>/</c> to strangers) and its post.</summary>
    public const string LoginPath = "/login";

    private static readonly Dictionary<string, (string File, string ContentType)> Assets = new(StringComparer.Ordinal)
    {
        ["/"] = ("index.html", "text/html; charset=utf-8"),
        ["/dashboard.js"] = ("dashboard.js", "text/javascript; charset=utf-8"),
        ["/dashboard.css"] = ("dashboard.css", "text/css; charset=utf-8"),
        ["/login.js"] = ("login.js", "text/javascript; charset=utf-8"),
    };

    /// <summary>The assets the sign-in form itself uses; they hold nothing about the host.</summary>
    private static readonly HashSet<string> FormAssets = new(StringComparer.Ordinal) { "/dashboard.css", "/login.js" };

    /// <summary>Every path this class answers; each checks the session itself, so the API's token check lets them through.</summary>
    public static readonly HashSet<string> Paths = new(StringComparer.Ordinal) { "/", "/dashboard.js", "/dashboard.css", "/login.js", LoginPath, "/logout" };

    public static void Map(WebApplication app)
    {
        var session = app.Services.GetRequiredService<DashboardSession>();
        var token = app.Services.GetRequiredService<ApiToken>();
        foreach (var (path, (file, type)) in Assets)
        {
            var bytes = Read(file);
            app.MapGet(path, (HttpContext context) =>
            {
                // A client with the token in a header (curl, a test) may read the page too.
                if (!session.IsSignedIn(context.Request) && !token.MatchesAuthorization(context.Request.Headers.Authorization))
                {
                    // Not signed in: only the form and what it uses.
                    return FormAssets.Contains(path) ? Page(bytes, type) : SignInPage(StatusCodes.Status401Unauthorized);
                }

                return Page(bytes, type);
            });
        }

        app.MapPost(LoginPath, async (HttpContext context) =>
        {
            if (!context.Request.HasFormContentType)
            {
                return ApiProblems.UnsupportedMediaType("sign in with a form post (application/x-www-form-urlencoded) carrying the token");
            }

            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            if (!token.Matches(form["token"].ToString().AsSpan().Trim()))
            {
                return Results.Redirect("/?failed=1", permanent: false);
            }

            session.SignIn(context.Response, context.Request.IsHttps);
            return Results.Redirect("/", permanent: false);
        });

        app.MapPost("/logout", (HttpContext context) =>
        {
            DashboardSession.SignOut(context.Response);
            return Results.Redirect("/", permanent: false);
        });
    }

    private static readonly byte[] LoginBytes = Read("login.html");

    private static PageResult SignInPage(int status) => new PageResult(LoginBytes, "text/html; charset=utf-8", status);

    private static PageResult Page(byte[] bytes, string type) => new PageResult(bytes, type, StatusCodes.Status200OK);

    private static byte[] Read(string file)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Riposte.Cli.Dashboard." + file)
            ?? throw new InvalidOperationException($"the dashboard asset {file} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>An embedded asset with the headers a page holding security data should have.</summary>
    private sealed class PageResult(byte[] bytes, string contentType, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.StatusCode = status;
            response.ContentType = contentType;
            response.Headers.CacheControl = "no-store";
            response.Headers["X-Content-Type-Options"] = "nosniff";
            response.Headers["X-Frame-Options"] = "DENY";
            response.Headers["Referrer-Policy"] = "no-referrer";
            // Only our own script and style, nothing inline: a value from an alert that ever reached the page as markup
            // still could not run.
            response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
            if (status == StatusCodes.Status401Unauthorized)
            {
                response.Headers.WWWAuthenticate = "Bearer";
            }

            response.ContentLength = bytes.Length;
            return response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
        }
    }
}
