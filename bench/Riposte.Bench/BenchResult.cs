using System.Text.Json.Serialization;

namespace Riposte.Bench;

/// <summary>One row of bench/results/latest.json. Ratio &gt; 1 means Riposte is better than the baseline.</summary>
internal sealed record BenchResult(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("riposte")] double Riposte,
    [property: JsonPropertyName("baseline")] double Baseline,
    [property: JsonPropertyName("baseline_name")] string BaselineName,
    [property: JsonPropertyName("ratio")] double Ratio);
