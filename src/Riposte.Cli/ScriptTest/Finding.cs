namespace Riposte.Cli.ScriptTest;

/// <summary>How much a finding matters: errors make a program non-conforming, warnings do not.</summary>
internal enum FindingSeverity
{
    /// <summary>The program breaks the protocol: under wazuh-execd it hangs, loses its keys or never reverts.</summary>
    Error,

    /// <summary>The program works under execd, but something will bite its users.</summary>
    Warning,
}

/// <summary>
/// One kind of protocol violation: a stable code for scripts and tests, and the sentence that explains it in terms
/// of what wazuh-execd does.
/// </summary>
/// <param name="Code">The stable code, e.g. <c>no-newline</c>.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Sentence">What is wrong and why it matters under execd.</param>
internal sealed record FindingKind(string Code, FindingSeverity Severity, string Sentence);

/// <summary>A finding as reported: its kind, the details of this occurrence, and the steps it occurred in.</summary>
/// <param name="Kind">What was found.</param>
/// <param name="Detail">What exactly was seen (a value, a time, a line); null when the sentence says it all.</param>
/// <param name="Steps">The steps (1-based) where it was seen; empty for findings about the whole run (the program log).</param>
internal sealed record Finding(FindingKind Kind, string? Detail, List<int> Steps)
{
    /// <summary>The sentence, then the details in parentheses.</summary>
    public string Message => Detail is null ? Kind.Sentence : $"{Kind.Sentence} ({Detail})";
}

/// <summary>
/// The findings of one run, in the order first seen. The same finding (same code and details) in several steps is
/// reported once with all its steps, so that a program that fails both adds the same way says so once.
/// </summary>
internal sealed class FindingList
{
    private readonly List<Finding> _items = [];

    /// <summary>Every finding, in the order first seen.</summary>
    public IReadOnlyList<Finding> Items => _items;

    /// <summary>True when there is no error (warnings allowed).</summary>
    public bool Conforms => _items.All(f => f.Kind.Severity != FindingSeverity.Error);

    /// <summary>Records <paramref name="kind"/> in <paramref name="step"/> (0: not tied to a step).</summary>
    public void Add(FindingKind kind, int step, string? detail = null)
    {
        var existing = _items.Find(f => f.Kind == kind && f.Detail == detail);
        if (existing is null)
        {
            _items.Add(new Finding(kind, detail, step > 0 ? [step] : []));
        }
        else if (step > 0 && !existing.Steps.Contains(step))
        {
            existing.Steps.Add(step);
        }
    }

    /// <summary>True when <paramref name="kind"/> was recorded for <paramref name="step"/>.</summary>
    public bool Has(FindingKind kind, int step) => _items.Any(f => f.Kind == kind && f.Steps.Contains(step));

    /// <summary>The findings seen in <paramref name="step"/>.</summary>
    public IEnumerable<Finding> ForStep(int step) => _items.Where(f => f.Steps.Contains(step));
}
