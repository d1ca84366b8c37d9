using Microsoft.Extensions.Logging;

namespace Riposte.Cli.Api;

/// <summary>
/// The daemon's loggers for the web host, with ASP.NET Core's own categories held to warnings: a line per request
/// ("Request finished ...") would drown the daemon's log, which is about responses.
/// </summary>
internal sealed class QuietFrameworkLoggers(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("Microsoft.", StringComparison.Ordinal) ? new AtLeast(inner.CreateLogger(categoryName), LogLevel.Warning) : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The daemon owns the inner factory and disposes it.
    public void Dispose()
    {
    }

    private sealed class AtLeast(ILogger logger, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => logger.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logger.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                logger.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
