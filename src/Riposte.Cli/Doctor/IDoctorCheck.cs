namespace Riposte.Cli.Doctor;

/// <summary>One group of checks of <c>riposte doctor</c>; each reports one or more <see cref="CheckResult"/> lines.</summary>
internal interface IDoctorCheck
{
    /// <summary>The id every result of this check carries.</summary>
    string Id { get; }

    /// <summary>The heading in the text report.</summary>
    string Title { get; }

    /// <summary>Runs the check. Only reads: a doctor never changes the home, the state or the host's firewall.</summary>
    Task<IReadOnlyList<CheckResult>> RunAsync(DoctorContext context, CancellationToken cancellationToken);
}
