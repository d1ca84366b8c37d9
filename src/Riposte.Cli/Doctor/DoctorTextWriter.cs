using System.Globalization;
using System.Text;

namespace Riposte.Cli.Doctor;

/// <summary>The checklist for people: a heading per check, one marked line per result, the fix under each problem.</summary>
internal static class DoctorTextWriter
{
    /// <summary>The mark of each status.</summary>
    public static string Mark(CheckStatus status) => status switch
    {
        CheckStatus.Pass => "✔",
        CheckStatus.Warn => "⚠",
        CheckStatus.Fail => "✘",
        _ => "-",
    };

    /// <summary>The whole report as text.</summary>
    public static string Write(DoctorReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"riposte doctor: {report.Home}");
        foreach (var section in report.Sections)
        {
            text.AppendLine();
            text.AppendLine(section.Title);
            foreach (var result in section.Results)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {Mark(result.Status)} {result.Subject}: {result.Message}");
                foreach (var detail in result.DetailLines)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"      {detail}");
                }

                if (result.Fix is { } fix)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"      fix: {fix}");
                }
            }
        }

        text.AppendLine();
        var failed = report.Count(CheckStatus.Fail);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{(failed == 0 ? "healthy" : "problems found")}: {report.Count(CheckStatus.Pass)} passed, {report.Count(CheckStatus.Warn)} warnings, {failed} failed, {report.Count(CheckStatus.Skip)} skipped");
        return text.ToString();
    }
}
