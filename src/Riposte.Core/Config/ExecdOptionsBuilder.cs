using System.Xml.Linq;

namespace Riposte.Config;

/// <summary>Collects what execd reads: the first <c>disabled</c> and the first <c>repeated_offenders</c> across all blocks.</summary>
internal sealed class ExecdOptionsBuilder
{
    private const int MaxSteps = 5;
    private bool? _disabled;
    private int[]? _repeatedOffenders;

    public void Observe(RawResponseBlock block, XElement element, string file, OssecConfigReader reader)
    {
        if (_disabled is null && block.DisabledValue is not null)
        {
            _disabled = block.DisabledValue == "yes";
        }

        if (_repeatedOffenders is null && block.RepeatedOffenders is not null)
        {
            _repeatedOffenders = Parse(block.RepeatedOffenders, out var warning);
            if (warning is not null)
            {
                reader.Add(DiagnosticSeverity.Warning, block.RepeatedOffendersElement ?? element, file, null, warning);
            }
        }
    }

    public ExecdOptions Build() => new(_disabled ?? false, _repeatedOffenders ?? []);

    /// <summary>execd's parse: at most five comma pieces (the fifth keeps the rest), atoi each, the list ends at the first 0.</summary>
    internal static int[] Parse(string text, out string? warning)
    {
        warning = null;
        var pieces = text.Split(',', MaxSteps);
        var values = new List<int>();
        foreach (var piece in pieces)
        {
            var trimmed = piece.TrimStart(' ', '\t');
            if (trimmed.Length == 0)
            {
                continue;
            }

            var minutes = CNumbers.Atoi(trimmed);
            if (CNumbers.AtoiOverflows(trimmed))
            {
                warning = $"repeated_offenders '{text}': {CNumbers.AtoiText(trimmed)} overflows a C int; execd reads it as {minutes}.";
            }

            if (minutes == 0)
            {
                break;
            }

            if (minutes < 0)
            {
                warning = $"repeated_offenders '{text}' has a negative value; execd accepts it.";
            }

            values.Add(minutes);
        }

        if (text.Split(',').Length > MaxSteps)
        {
            warning = $"repeated_offenders '{text}' has more than {MaxSteps} values; execd uses the first {MaxSteps} (the fifth as written up to the next comma).";
        }

        return [.. values];
    }
}
