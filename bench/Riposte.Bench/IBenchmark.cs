namespace Riposte.Bench;

/// <summary>A benchmark that measures Riposte against a baseline in the same run.</summary>
internal interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    IEnumerable<BenchResult> Run(BenchOptions options);
}

/// <summary>Command-line options shared by all benchmarks.</summary>
/// <param name="Quick">Smaller inputs and fewer rounds (under two minutes in all).</param>
/// <param name="DataDirectory">Where generated inputs go.</param>
internal sealed record BenchOptions(bool Quick, string DataDirectory);
