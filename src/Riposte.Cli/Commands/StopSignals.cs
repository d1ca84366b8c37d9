using System.Runtime.InteropServices;

namespace Riposte.Cli.Commands;

/// <summary>
/// Ends a command that runs until stopped (<c>history --follow</c>, <c>top</c>) on Ctrl-C or SIGTERM, so it can exit
/// with status 0 instead of the runtime's default for the signal.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    // Never disposed: System.CommandLine handles SIGINT too, and its cancellation may finish the command (and so
    // dispose this object) before our handler runs in the same signal dispatch; cancelling a disposed source there
    // would abort the process.
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _interrupt;

    /// <summary>Stops on either signal, or when <paramref name="cancellationToken"/> is cancelled.</summary>
    public StopSignals(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    }

    /// <summary>Cancelled once the command should end.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>True once asked to stop.</summary>
    public bool IsStopping => _stop.IsCancellationRequested;

    /// <summary>Gives the signals back to the runtime.</summary>
    public void Dispose()
    {
        _term.Dispose();
        _interrupt.Dispose();
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }
}
