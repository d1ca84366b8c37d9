using System.Globalization;
using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>
/// A program's <c>extra_args</c> (from <c>&lt;extra_args&gt;</c> in ossec.conf, split on spaces): <c>name=value</c>
/// options and plain values. Anything a program does not know is refused, so a typo in the configuration shows in the
/// log instead of silently changing nothing.
/// </summary>
internal sealed class ExtraArguments
{
    private readonly Dictionary<string, string> _options;

    private ExtraArguments(Dictionary<string, string> options, List<string> values)
    {
        _options = options;
        Values = values;
    }

    /// <summary>The arguments that are not <c>name=value</c> options, in order.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>Splits <paramref name="arguments"/>; options other than <paramref name="allowed"/> (or values, unless <paramref name="allowValues"/>) stop the run.</summary>
    /// <exception cref="ResponseException">An argument the program does not accept.</exception>
    public static ExtraArguments Parse(IReadOnlyList<string> arguments, bool allowValues, params string[] allowed)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = new List<string>();
        foreach (var argument in arguments)
        {
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var isOption = equals > 0 && !argument.Contains("://", StringComparison.Ordinal);
            if (isOption && Array.IndexOf(allowed, argument[..equals]) >= 0 && !options.ContainsKey(argument[..equals]))
            {
                options[argument[..equals]] = argument[(equals + 1)..];
            }
            else if (!isOption && allowValues && argument.Length > 0)
            {
                values.Add(argument);
            }
            else
            {
                throw new ResponseException($"Invalid extra argument '{argument}'");
            }
        }

        return new ExtraArguments(options, values);
    }

    /// <summary>A whole number of seconds in [<paramref name="min"/>, <paramref name="max"/>], or null when not given.</summary>
    /// <exception cref="ResponseException">Given but not such a number.</exception>
    public long? Seconds(string name, long min, long max)
    {
        if (!_options.TryGetValue(name, out var text))
        {
            return null;
        }

        if (text.Length is > 0 and <= 12 && !text.AsSpan().ContainsAnyExceptInRange('0', '9') &&
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        throw new ResponseException($"Invalid extra argument '{name}={text}' (whole seconds from {min} to {max})");
    }
}
