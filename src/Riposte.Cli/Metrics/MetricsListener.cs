using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Riposte.Cli.Daemon;
using Riposte.Config.Settings;


namespace Riposte.Cli.Metrics;

/// <summary>
/// The standalone <c>/metrics</c> endpoint of <c>riposte serve</c>, when <c>metrics.listen</c> is set: Kestrel on that
/// address only, answering <c>GET /metrics</c> and nothing else.
/// </summary>
/// <remarks>
/// Every network surface is authenticated: scrapes present the API's bearer token (<c>api.token_file</c>) whenever it is
/// set. Without one, only a loopback <c>metrics.listen</c> is served (this host's users can read counts, nothing else);
/// any other address is refused rather than served open. The file is read at each scrape, so a rotated token applies at
/// once and a removed one locks the endpoint. A listener that cannot start is logged and left out: the engine keeps
/// protecting the host without its metrics.
/// </remarks>
internal sealed class MetricsListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string? _tokenFile;
    private readonly ILogger _logger;

    private MetricsListener(WebApplication app, string? tokenFile, ILogger logger)
    {
        _app = app;
        _tokenFile = tokenFile;
        _logger = logger;
    }

    /// <summary>The addresses bound, e.g. <c>http://127.0.0.1:9595</c>.</summary>
    public IReadOnlyList<string> Addresses =>
        [.. _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];

    /// <summary>
    /// Starts the endpoint <paramref name="home"/>'s settings ask for; null when <c>metrics.listen</c> is not set, or when
    /// it cannot be served safely or at all (logged as an error).
    /// </summary>
    public static async Task<MetricsListener?> StartAsync(RiposteHome home, ILogger logger, CancellationToken cancellationToken)
    {
        if (home.Settings.Metrics.Listen is not { } endpoint)
        {
            return null;
        }

        var tokenFile = home.Settings.Api.TokenFile is { Length: > 0 } file ? Path.GetFullPath(file, home.Home) : null;
        if (tokenFile is null && !endpoint.IsLoopback)
        {
            logger.LogError("metrics.listen {Endpoint} is not a loopback address and api.token_file is not set; /metrics is not served "
                + "(every network surface needs authentication)", endpoint);
            return null;
        }

        if (tokenFile is not null && ReadToken(tokenFile, out var problem) is null)
        {
            logger.LogError("/metrics is not served: {Problem}", problem);
            return null;
        }

        MetricsExposition.Start();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 0;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            // A scraper needs one connection; the cap keeps a flood from costing the engine's host more than that.
            kestrel.Limits.MaxConcurrentConnections = 32;
            if (string.Equals(endpoint.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                // Both loopbacks, and only the one the host has when IPv6 is off.
                kestrel.ListenLocalhost(endpoint.Port);
                return;
            }

            foreach (var address in Bindings(endpoint))
            {
                kestrel.Listen(address, endpoint.Port);
            }
        });
        var app = builder.Build();
        var listener = new MetricsListener(app, tokenFile, logger);
        app.Run(listener.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException)
        {
            logger.LogError("/metrics is not served: cannot listen on {Endpoint}: {Error}", endpoint, ex.Message);
            await app.DisposeAsync();
            return null;
        }

        logger.LogInformation("Serving metrics on {Addresses}/metrics ({Auth})", string.Join(", ", listener.Addresses),
            tokenFile is null ? "loopback, no token" : $"bearer token from {tokenFile}");
        return listener;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    /// <summary>The API's token, read with the API's own checks (a scrape must not trust a file the API refuses).</summary>
    internal static Api.ApiToken? ReadToken(string path, out string? problem) => Api.ApiToken.Load(path, out problem);

    private static IEnumerable<IPAddress> Bindings(ListenEndpoint endpoint)
    {
        if (IPAddress.TryParse(endpoint.Host, out var address))
        {
            return [address];
        }

        // A host name: every address it has, so the endpoint is where the settings say and nowhere else.
        return Dns.GetHostAddresses(endpoint.Host).Distinct();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        if (context.Request.Path != "/metrics")
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }

        if (_tokenFile is not null)
        {
            if (ReadToken(_tokenFile, out var problem) is not { } token)
            {
                // Fail closed: without the token nothing can be checked.
                _logger.LogWarning("/metrics refused a scrape: {Problem}", problem);
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            if (!token.MatchesAuthorization(context.Request.Headers.Authorization))
            {
                response.StatusCode = StatusCodes.Status401Unauthorized;
                response.Headers.WWWAuthenticate = "Bearer";
                return;
            }
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            response.ContentType = MetricsExposition.ContentType;
            return;
        }

        await MetricsExposition.WriteResponseAsync(context);
    }
}
