namespace Riposte.Execution;

/// <summary>
/// A program could not be started (posix_spawn failed). <see cref="Exception.Message"/> is Wazuh's
/// <c>(1317): Could not launch command &lt;strerror&gt; (&lt;errno&gt;)</c>.
/// </summary>
public sealed class ProgramLaunchException : Exception
{
    /// <summary>Creates the exception for <paramref name="errorNumber"/> when starting <paramref name="relativePath"/>.</summary>
    public ProgramLaunchException(string relativePath, int errorNumber)
        : base($"(1317): Could not launch command {LibC.StrError(errorNumber)} ({errorNumber})")
    {
        RelativePath = relativePath;
        ErrorNumber = errorNumber;
    }

    /// <summary>Creates the exception for <paramref name="errorNumber"/> returned by a setup step (<paramref name="innerException"/> names it).</summary>
    internal ProgramLaunchException(int errorNumber, Exception innerException)
        : base($"(1317): Could not launch command {LibC.StrError(errorNumber)} ({errorNumber})", innerException)
    {
        RelativePath = string.Empty;
        ErrorNumber = errorNumber;
    }

    /// <summary>Creates the exception with a message only (no errno).</summary>
    public ProgramLaunchException()
        : this(string.Empty)
    {
    }

    /// <summary>Creates the exception with a message only (no errno).</summary>
    public ProgramLaunchException(string message)
        : base(message)
    {
        RelativePath = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause (no errno).</summary>
    public ProgramLaunchException(string message, Exception innerException)
        : base(message, innerException)
    {
        RelativePath = string.Empty;
    }

    /// <summary>The program that could not be started.</summary>
    public string RelativePath { get; }

    /// <summary>The errno value (ENOENT = 2, EACCES = 13...), 0 when unknown.</summary>
    public int ErrorNumber { get; }

    /// <summary>The strerror text of <see cref="ErrorNumber"/> (e.g. "No such file or directory").</summary>
    public string Reason => ErrorNumber == 0 ? Message : LibC.StrError(ErrorNumber);

    /// <summary>
    /// The message without Wazuh's <c>(1317): Could not launch command</c> prefix: <c>&lt;strerror&gt; (&lt;errno&gt;)</c>.
    /// This is what <see cref="ProgramRunResult.Error"/> holds, so that the one place composing the 1317 line
    /// (the engine) does not print the prefix twice.
    /// </summary>
    public string Detail => ErrorNumber == 0 ? Message : $"{LibC.StrError(ErrorNumber)} ({ErrorNumber})";
}
