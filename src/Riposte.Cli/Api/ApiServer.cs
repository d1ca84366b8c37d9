using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Riposte.Cli.Daemon;
using Riposte.Engine;
using Riposte.Events;
using Riposte.State;

namespace Riposte.Cli.Api;

/// <summary>
/// The HTTP API inside <c>riposte serve</c>: Kestrel on the configured address, token authentication, the routes of
/// <see cref="ApiRoutes"/>. Started after the control socket, stopped before the engine stops.
/// </summary>
internal sealed class ApiServer : IAsyncDisposable
{
    /// <summary>The largest request body accepted (alerts and trigger requests are far smaller).</summary>
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>
    /// Kestrel's own cap: a body between the two is read to its end and answered 413 (a clean answer needs the body
    /// drained); beyond it Kestrel closes the connection.
    /// </summary>
    private const long HardBodyBytes = 1024 * 1024;

    private readonly WebApplication _app;
    private readonly ResponseEventFeed _feed;
    private int _disposed;

    private ApiServer(WebApplication app, ResponseEventFeed feed)
    {
        _app = app;
        _feed = feed;
    }

    /// <summary>The address Kestrel bound (the real port when the configured one was 0).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>
    /// Starts the API; null (reported on <paramref name="io"/>) when Kestrel cannot listen there, so the daemon refuses to
    /// start rather than run without the API it was asked for.
    /// </summary>
    public static async Task<ApiServer?> StartAsync(ApiOptions options, RiposteHome home, ResponseEngine engine, SqliteStateStore store,
        IAlertDispatcher dispatcher, ILoggerFactory loggers, CliIo io, CancellationToken cancellationToken, ManagerParts? manager = null)
    {
        var feed = new ResponseEventFeed(store, TimeProvider.System);
        var services = new ApiServices(home, engine, store, feed, TimeProvider.System, dispatcher, manager?.View, manager);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "riposte", EnvironmentName = Environments.Production, Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(new QuietFrameworkLoggers(loggers)));
        builder.Services.AddSingleton(services);
        builder.Services.AddSingleton(options.Token);
        builder.Services.AddSingleton<Dashboard.DashboardSession>();
        builder.Services.AddProblemDetails();
        builder.Services.Configure<JsonOptions>(json => ApiJson.Configure(json.SerializerOptions));
        ApiRoutes.AddServices(builder.Services);
        // Only the listener asked for: no ASPNETCORE_URLS, no appsettings, no HTTPS default.
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = HardBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            var host = options.Listen.Host;
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(options.Listen.Port);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(host), options.Listen.Port);
            }
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));

        var app = builder.Build();
        ApiRoutes.Map(app);
        var server = new ApiServer(app, feed);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            io.Error.WriteLine($"the API cannot listen on {options.Listen}: {ex.Message}");
            await server.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(address);
        var logger = loggers.CreateLogger("Riposte.Api");
        logger.LogInformation("HTTP API listening on {Address} (token from {TokenFile})", address, options.TokenFile);
        if (!options.Listen.IsLoopback)
        {
            // Plain HTTP: the token crosses the network in clear unless a TLS proxy sits in front.
            logger.LogWarning("The HTTP API listens beyond loopback ({Address}) without TLS; put it behind a TLS proxy or a private network", address);
        }
        return server;
    }

    /// <summary>Stops listening: open event streams end, requests in flight get a few seconds to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _feed.Dispose();
    }
}
