using Microsoft.Extensions.Logging;
using Riposte.Fleet.Manager;
using Riposte.Fleet.Registry;
using Riposte.Fleet.Transport;
using Riposte.Fleet.View;

namespace Riposte.Cli.Daemon;

/// <summary>What a fleet manager runs beside the engine; disposed after the engine stopped.</summary>
internal sealed class ManagerParts(FleetDispatcher dispatcher, FleetManagerService service, FleetStore view, AgentRegistry registry,
    Func<AgentRegistry?> loadRegistry, RemotedBridge? remoted, ILogger logger, CommandPublisher publisher) : IAsyncDisposable
{
    /// <summary>Publishes commands to agents' streams (what the API's Wazuh-compatible call sends).</summary>
    public CommandPublisher Publisher => publisher;

    public FleetDispatcher Dispatcher => dispatcher;

    public FleetManagerService Service => service;

    public FleetStore View => view;

    public AgentRegistry Registry { get; private set; } = registry;

    /// <summary>SIGHUP: a new registry routes at once; its new agents get their consumers in the background.</summary>
    public void ReloadRegistry()
    {
        if (loadRegistry() is not { } fresh)
        {
            logger.LogError("Agent registry reload rejected; the previous one keeps running");
            return;
        }

        Registry = fresh;
        dispatcher.Reload(fresh);
        _ = Task.Run(async () =>
        {
            try
            {
                await service.PrepareAsync(fresh, CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Could not create consumers for the reloaded registry");
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        remoted?.Dispose();
        await view.DisposeAsync();
    }
}
