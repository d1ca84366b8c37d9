using Riposte.Cli.Daemon;
using Riposte.Engine;
using Riposte.Events;
using Riposte.State;

namespace Riposte.Cli.Api;

/// <summary>What the API's endpoints work with: the daemon's own engine and state, never a second copy.</summary>
/// <param name="Home">The home the daemon serves.</param>
/// <param name="Engine">The running engine (trigger, revoke).</param>
/// <param name="Store">Its state (active responses, audit trail).</param>
/// <param name="Feed">The audit trail as events (history, server-sent events).</param>
/// <param name="Time">The clock for "seconds left" and "since".</param>
/// <param name="Dispatcher">Where alerts go; holds the running configuration (explain).</param>
/// <param name="Fleet">On a fleet manager, its view of the agents (presence, their active responses); null on a single host.</param>
/// <param name="Manager">On a fleet manager, its registry and command publisher (commands for agents); null on a single host.</param>
internal sealed record ApiServices(RiposteHome Home, ResponseEngine Engine, SqliteStateStore Store, ResponseEventFeed Feed, TimeProvider Time,
    IAlertDispatcher Dispatcher, Fleet.View.FleetStore? Fleet = null, ManagerParts? Manager = null);
