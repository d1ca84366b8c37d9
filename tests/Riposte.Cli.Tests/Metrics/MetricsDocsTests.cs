using Riposte.Telemetry;

namespace Riposte.Cli.Metrics;

/// <summary>docs/METRICS.md documents every exported metric with its type and labels.</summary>
public sealed class MetricsDocsTests
{
    [Fact]
    public void Every_metric_has_a_row_with_its_type_and_labels()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Riposte.slnx")))
        {
            dir = dir.Parent;
        }

        var rows = File.ReadAllLines(Path.Combine(dir!.FullName, "docs", "METRICS.md")).Where(l => l.StartsWith("| `riposte_", StringComparison.Ordinal)).ToList();
        rows.Count.ShouldBe(RiposteMetrics.Catalog.Count);
        foreach (var metric in RiposteMetrics.Catalog)
        {
            var cells = rows.Where(r => r.StartsWith($"| `{metric.Name}` |", StringComparison.Ordinal)).ShouldHaveSingleItem(metric.Name)
                .Split('|', StringSplitOptions.TrimEntries);
            cells[2].ShouldBe(metric.Kind.ToString().ToLowerInvariant(), metric.Name);
            cells[3].ShouldBe(metric.Labels.Count == 0 ? "—" : string.Join(", ", metric.Labels.Select(l => $"`{l}`")), metric.Name);
        }
    }
}
