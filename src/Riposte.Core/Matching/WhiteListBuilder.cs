using System.Globalization;
using System.Text.RegularExpressions;
using Riposte.Config;
using Riposte.Matching.OsRegex;

namespace Riposte.Matching;

/// <summary>Sorts white-list entries into analysisd's IP list and hostname pattern list.</summary>
internal sealed partial class WhiteListBuilder
{
    private readonly List<IPv4Entry> _ips = [];
    private readonly List<OsMatchPattern> _patterns = [];
    private readonly List<string> _entries = [];

    /// <summary>Adds one entry; returns the error analysisd would report, or null.</summary>
    public (int? Code, string Message)? Add(string value)
    {
        _entries.Add(value);
        if (IPv4Shape().IsMatch(value))
        {
            if (!TryParseEntry(value, out var entry))
            {
                return (1237, $"Invalid ip address: '{value}'.");
            }

            _ips.Add(entry);
            return null;
        }

        if (!OsMatchPattern.TryCompile(value, out var pattern, out var error))
        {
            return (null, $"White list entry '{value}' is not a valid OSMatch pattern: {error}");
        }

        _patterns.Add(pattern);
        return null;
    }

    public WhiteList Build() => new([.. _ips], [.. _patterns], [.. _entries]);

    private static bool TryParseEntry(string value, out IPv4Entry entry)
    {
        entry = default;
        var negated = value.StartsWith('!');
        var text = negated ? value[1..] : value;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var ipText = slash < 0 ? text : text[..slash];
        if (!IpText.TryParseIPv4(ipText, out var address))
        {
            return false;
        }

        var mask = uint.MaxValue;
        if (slash >= 0)
        {
            var maskText = text[(slash + 1)..];
            if (maskText.Contains('.', StringComparison.Ordinal))
            {
                if (!IpText.TryParseIPv4(maskText, out mask))
                {
                    return false;
                }
            }
            else
            {
                var bits = int.Parse(maskText, CultureInfo.InvariantCulture);
                if (bits > 32)
                {
                    return false;
                }

                mask = bits == 0 ? 0 : uint.MaxValue << (32 - bits);
            }
        }

        entry = new IPv4Entry(address & mask, mask, negated);
        return true;
    }

    // analysisd's POSIX ERE for the IP list; anything else is a hostname pattern.
    [GeneratedRegex(@"^!?[0-9]{1,3}(\.[0-9]{1,3}){3}(/[0-9]{1,2}([0-9](\.[0-9]{1,3}){3})?)?$")]
    private static partial Regex IPv4Shape();
}
