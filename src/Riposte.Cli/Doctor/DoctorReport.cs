namespace Riposte.Cli.Doctor;

/// <summary>Everything one doctor run found, in check order.</summary>
/// <param name="Home">The home checked.</param>
/// <param name="Sections">Each check's heading and results.</param>
internal sealed record DoctorReport(string Home, IReadOnlyList<DoctorSection> Sections)
{
    /// <summary>Every result, in order.</summary>
    public IEnumerable<CheckResult> Results => Sections.SelectMany(s => s.Results);

    /// <summary>True when nothing failed (warnings and skips allowed).</summary>
    public bool Healthy => Results.All(r => r.Status != CheckStatus.Fail);

    /// <summary>How many results have <paramref name="status"/>.</summary>
    public int Count(CheckStatus status) => Results.Count(r => r.Status == status);
}

/// <summary>One check's results under its heading.</summary>
/// <param name="Id">The check's id.</param>
/// <param name="Title">Its heading.</param>
/// <param name="Results">What it found.</param>
internal sealed record DoctorSection(string Id, string Title, IReadOnlyList<CheckResult> Results);
