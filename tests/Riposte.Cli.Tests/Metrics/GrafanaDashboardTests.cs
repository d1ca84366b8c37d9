using System.Text.Json;
using System.Text.RegularExpressions;
using Riposte.Telemetry;

namespace Riposte.Cli.Metrics;

/// <summary>etc/grafana/riposte-dashboard.json: valid JSON whose queries only use what Riposte exports.</summary>
public sealed partial class GrafanaDashboardTests
{
    // Labels Prometheus adds to every scraped series (and the histogram's bucket bound).
    private static readonly string[] ScrapeLabels = ["instance", "job", "le"];

    private static readonly string[] HistogramSeries = ["_bucket", "_sum", "_count"];

    [Fact]
    public void The_dashboard_is_valid_JSON_with_unique_panels_each_with_a_query()
    {
        using var dashboard = Load();
        var root = dashboard.RootElement;
        root.GetProperty("title").GetString().ShouldBe("Riposte");
        root.GetProperty("uid").GetString().ShouldNotBeNullOrWhiteSpace();
        var panels = root.GetProperty("panels").EnumerateArray().ToList();
        panels.Select(p => p.GetProperty("id").GetInt32()).ShouldBeUnique();
        foreach (var panel in panels.Where(p => p.GetProperty("type").GetString() != "row"))
        {
            var title = panel.GetProperty("title").GetString();
            panel.GetProperty("targets").EnumerateArray().ShouldNotBeEmpty(title);
            panel.GetProperty("targets").EnumerateArray().ShouldAllBe(t => t.GetProperty("expr").GetString()!.Length > 0, title);
        }
    }

    [Fact]
    public void Every_metric_and_label_the_queries_use_is_one_Riposte_exports_and_every_export_is_shown()
    {
        using var dashboard = Load();
        var catalog = RiposteMetrics.Catalog.ToDictionary(m => m.Name);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var expr in Expressions(dashboard.RootElement))
        {
            var metrics = MetricName().Matches(expr).Select(m => Resolve(m.Value, catalog, expr)).ToList();
            metrics.ShouldNotBeEmpty(expr);
            used.UnionWith(metrics.Select(m => m.Name));
            var allowed = metrics.SelectMany(m => m.Labels).Concat(ScrapeLabels).ToHashSet(StringComparer.Ordinal);
            foreach (Match by in Grouping().Matches(expr))
            {
                foreach (var label in by.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries))
                {
                    allowed.ShouldContain(label, $"by ({label}) in {expr}");
                }
            }

            foreach (Match matcher in Matcher().Matches(expr))
            {
                allowed.ShouldContain(matcher.Groups[1].Value, $"{{{matcher.Groups[1].Value}=...}} in {expr}");
            }
        }

        used.ShouldBe(catalog.Keys, ignoreOrder: true, "the dashboard shows every exported metric");
    }

    [Fact]
    public void The_queries_only_use_defined_variables()
    {
        using var dashboard = Load();
        var defined = dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()!).ToHashSet();
        var text = dashboard.RootElement.GetRawText();
        foreach (Match variable in Variable().Matches(text))
        {
            var name = variable.Groups[1].Success ? variable.Groups[1].Value : variable.Groups[2].Value;
            (name.StartsWith("__", StringComparison.Ordinal) || defined.Contains(name)).ShouldBeTrue($"${name} is not a dashboard variable");
        }
    }

    /// <summary>The exported metric a series name belongs to: itself, or a histogram's _bucket, _sum or _count.</summary>
    private static MetricDescriptor Resolve(string series, Dictionary<string, MetricDescriptor> catalog, string expr)
    {
        if (catalog.TryGetValue(series, out var metric))
        {
            metric.Kind.ShouldNotBe(MetricKind.Histogram, $"{series} is a histogram: query its _bucket, _sum or _count ({expr})");
            return metric;
        }

        var suffix = HistogramSeries.FirstOrDefault(s => series.EndsWith(s, StringComparison.Ordinal));
        suffix.ShouldNotBeNull($"{series} is not a metric Riposte exports ({expr})");
        catalog.TryGetValue(series[..^suffix.Length], out var histogram).ShouldBeTrue($"{series} is not a metric Riposte exports ({expr})");
        histogram!.Kind.ShouldBe(MetricKind.Histogram, series);
        return histogram with { Labels = suffix == "_bucket" ? [.. histogram.Labels, "le"] : histogram.Labels };
    }

    private static IEnumerable<string> Expressions(JsonElement root) =>
        root.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .Concat(root.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Where(v => v.GetProperty("type").GetString() == "query")
                .Select(v => v.GetProperty("definition").GetString()!));

    private static JsonDocument Load()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Riposte.slnx")))
        {
            dir = dir.Parent;
        }

        dir.ShouldNotBeNull("the repository root (Riposte.slnx) above the test binaries");
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.FullName, "etc", "grafana", "riposte-dashboard.json")));
    }

    [GeneratedRegex("riposte_[a-z0-9_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"\bby\s*\(([^)]*)\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"[{,]\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")]
    private static partial Regex Matcher();

    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)\}|\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Variable();
}
