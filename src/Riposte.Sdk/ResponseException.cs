namespace Riposte.Sdk;

/// <summary>
/// Thrown from a program's code to stop it: the runner logs <see cref="Exception.Message"/> (Wazuh's exact text when
/// there is one, e.g. <c>Cannot read 'srcip' from data or invalid IP format</c>) and exits with <see cref="ExitCode"/>.
/// </summary>
public sealed class ResponseException : Exception
{
    /// <summary>Stops with <paramref name="message"/> and exit code 255 (Wazuh's OS_INVALID).</summary>
    public ResponseException(string message)
        : this(message, ResponseProgram.InvalidExitCode)
    {
    }

    /// <summary>Stops with <paramref name="message"/> and <paramref name="exitCode"/>.</summary>
    public ResponseException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    /// <summary>Stops with <paramref name="message"/>, exit code 255, keeping the cause.</summary>
    public ResponseException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ResponseProgram.InvalidExitCode;
    }

    /// <summary>Parameterless constructor required by the exception pattern; prefer the others.</summary>
    public ResponseException()
        : this("Response failed")
    {
    }

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; }
}
