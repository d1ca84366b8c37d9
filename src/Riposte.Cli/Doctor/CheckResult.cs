namespace Riposte.Cli.Doctor;

/// <summary>One line of the doctor's checklist.</summary>
/// <param name="Check">The check's id (<c>home</c>, <c>config</c>, <c>programs</c>, <c>firewall</c>, <c>execq</c>, <c>state</c>, <c>clock</c>).</param>
/// <param name="Subject">What was checked (a directory, a response, a tool, a file).</param>
/// <param name="Status">The outcome.</param>
/// <param name="Message">What was found, in a sentence.</param>
/// <param name="Fix">For a failure or warning: the concrete thing to do; null otherwise.</param>
/// <param name="Details">Supporting lines (configuration diagnostics as <c>FILE:LINE:COL: ...</c>, script-test findings).</param>
internal sealed record CheckResult(string Check, string Subject, CheckStatus Status, string Message, string? Fix = null, IReadOnlyList<string>? Details = null)
{
    /// <summary>The supporting lines, never null.</summary>
    public IReadOnlyList<string> DetailLines => Details ?? [];

    /// <summary>A passing result.</summary>
    public static CheckResult Pass(string check, string subject, string message, IReadOnlyList<string>? details = null) =>
        new(check, subject, CheckStatus.Pass, message, null, details);

    /// <summary>A warning with its fix.</summary>
    public static CheckResult Warn(string check, string subject, string message, string fix, IReadOnlyList<string>? details = null) =>
        new(check, subject, CheckStatus.Warn, message, fix, details);

    /// <summary>A failure with its fix.</summary>
    public static CheckResult Fail(string check, string subject, string message, string fix, IReadOnlyList<string>? details = null) =>
        new(check, subject, CheckStatus.Fail, message, fix, details);

    /// <summary>Not applicable.</summary>
    public static CheckResult Skip(string check, string subject, string message) => new(check, subject, CheckStatus.Skip, message);
}
