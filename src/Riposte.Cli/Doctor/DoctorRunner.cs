namespace Riposte.Cli.Doctor;

/// <summary>Runs the checks in order; a check that throws is itself reported as a failure rather than ending the run.</summary>
internal sealed class DoctorRunner
{
    private readonly IReadOnlyList<IDoctorCheck> _checks;

    /// <summary>A runner over <paramref name="checks"/>.</summary>
    public DoctorRunner(IReadOnlyList<IDoctorCheck> checks)
    {
        _checks = checks;
    }

    /// <summary>Every check, in the order the checklist reads best: layout, configuration, programs, tools, queue, state, clock.</summary>
    public static DoctorRunner Default() => new(
        [new HomeLayoutCheck(), new ConfigCheck(), new ProgramsCheck(), new FirewallCheck(), new ExecQueueCheck(), new StateCheck(), new ClockCheck()]);

    /// <summary>Runs every check against <paramref name="context"/>.</summary>
    public async Task<DoctorReport> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var sections = new List<DoctorSection>();
        foreach (var check in _checks)
        {
            IReadOnlyList<CheckResult> results;
            try
            {
                results = await check.RunAsync(context, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                results = [CheckResult.Fail(check.Id, check.Id, $"the check itself failed: {e.GetType().Name}: {e.Message}", "report this as a Riposte bug, with this output")];
            }

            sections.Add(new DoctorSection(check.Id, check.Title, results));
        }

        return new DoctorReport(context.Layout.Home, sections);
    }
}
