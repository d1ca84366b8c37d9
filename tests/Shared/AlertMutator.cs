using System.Text;

namespace Riposte;

/// <summary>
/// Deterministic mutations of alert lines for fuzz tests: invalid UTF-8, lone surrogate escapes, deep nesting, huge
/// values, NULs, control characters, truncation, splices and byte flips. A seed always gives the same lines.
/// </summary>
internal sealed class AlertMutator
{
    /// <summary>Overrides the default iteration count of every fuzz test (a longer run: <c>RIPOSTE_FUZZ_ITERATIONS=200000</c>).</summary>
    public const string IterationsVariable = "RIPOSTE_FUZZ_ITERATIONS";

    /// <summary>Overrides the fixed seed, to explore other inputs; a failure names the seed to replay.</summary>
    public const string SeedVariable = "RIPOSTE_FUZZ_SEED";

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE], [0x80], [0xBF], [0xC0, 0xAF], [0xC1, 0xBF], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE0, 0x80, 0x80], [0xC3],
    ];

    private static readonly string[] Escapes =
    [
        @"\ud800", @"\udfff", @"\udc00", @"\ud800\u0041", @"\udbff\", @"\ud800\ud800", @"\ud83d\ude00", @"\u0000", @"\u001b[2J",
        @"\u", @"\u12", @"\x41", @"\", @"\\", @"\""", @"\/", @"\uFFFF", @"\uD800\uDC00",
    ];

    private static readonly string[] HugeNumbers =
    [
        "1e400", "-1e400", "1e-400", "99999999999999999999", "-0", "0.0000000000000000000000001", "2147483648", "-2147483649",
        "1.7976931348623157e308", "4.9e-324", "123456789012345678901234567890123456789012345678901234567890123",
        "1234567890123456789012345678901234567890123456789012345678901234",
    ];

    private readonly Random _random;
    private readonly byte[][] _corpus;

    public AlertMutator(int seed, IEnumerable<string> corpus)
    {
        Seed = seed;
        _random = new Random(seed);
        _corpus = [.. corpus.Select(Encoding.UTF8.GetBytes)];
    }

    public int Seed { get; }

    /// <summary>The iteration count: <paramref name="defaultCount"/> unless <see cref="IterationsVariable"/> says otherwise.</summary>
    public static int Iterations(int defaultCount) =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), out var n) && n > 0 ? n : defaultCount;

    /// <summary>The seed: <paramref name="defaultSeed"/> unless <see cref="SeedVariable"/> says otherwise.</summary>
    public static int SeedOr(int defaultSeed) =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var n) ? n : defaultSeed;

    /// <summary>A corpus line with one to three mutations; it contains no newline, so it stays one line.</summary>
    public byte[] Next()
    {
        var line = new List<byte>(_corpus[_random.Next(_corpus.Length)]);
        var count = 1 + _random.Next(3);
        for (var i = 0; i < count; i++)
        {
            Mutate(line);
        }

        for (var i = 0; i < line.Count; i++)
        {
            if (line[i] == (byte)'\n')
            {
                line[i] = (byte)'\r';
            }
        }

        return [.. line];
    }

    private void Mutate(List<byte> line)
    {
        switch (_random.Next(11))
        {
            case 0:
                line.InsertRange(StringPosition(line), InvalidUtf8[_random.Next(InvalidUtf8.Length)]);
                break;
            case 1:
                line.InsertRange(StringPosition(line), Encoding.ASCII.GetBytes(Escapes[_random.Next(Escapes.Length)]));
                break;
            case 2:
                Nest(line);
                break;
            case 3:
                ReplaceValue(line, "\"" + new string((char)('a' + _random.Next(26)), _random.Next(1, 300_000)) + "\"");
                break;
            case 4:
                ReplaceValue(line, HugeNumbers[_random.Next(HugeNumbers.Length)]);
                break;
            case 5:
                line.Insert(_random.Next(line.Count + 1), (byte)_random.Next(0x20));
                break;
            case 6:
                var cut = _random.Next(line.Count + 1);
                line.RemoveRange(cut, line.Count - cut);
                break;
            case 7:
                for (var i = _random.Next(1, 9); i > 0 && line.Count > 0; i--)
                {
                    var at = _random.Next(line.Count);
                    line[at] = _random.Next(2) == 0 ? (byte)(line[at] ^ (1 << _random.Next(8))) : (byte)_random.Next(256);
                }

                break;
            case 8:
                var other = _corpus[_random.Next(_corpus.Length)];
                var from = _random.Next(other.Length);
                line.InsertRange(_random.Next(line.Count + 1), other[from..Math.Min(other.Length, from + _random.Next(1, 200))]);
                break;
            case 9:
                line.InsertRange(StringPosition(line), Encoding.ASCII.GetBytes(Escapes[_random.Next(Escapes.Length)]));
                line.InsertRange(StringPosition(line), InvalidUtf8[_random.Next(InvalidUtf8.Length)]);
                break;
            default:
                ReplaceValue(line, _random.Next(4) switch
                {
                    0 => "{\"srcip\":\"" + (char)_random.Next(0x20) + "\"}",
                    1 => "\"1.2.3.4\\u0000;rm -rf /\"",
                    2 => "[" + string.Join(",", Enumerable.Repeat("\"g\"", _random.Next(1, 5000))) + "]",
                    _ => "{\"srcip\":\"1.2.3.4\",\"SRCIP\":\"10.0.0.1\",\"srcip\":\"10.0.0.2\"}",
                });
                break;
        }
    }

    /// <summary>Just after a quote, so an insertion usually lands inside a string (a name or a value).</summary>
    private int StringPosition(List<byte> line)
    {
        for (var tries = 0; tries < 8 && line.Count > 0; tries++)
        {
            var at = _random.Next(line.Count);
            if (line[at] == (byte)'"')
            {
                return at + 1;
            }
        }

        return _random.Next(line.Count + 1);
    }

    private void Nest(List<byte> line)
    {
        var depth = _random.Next(4) == 0 ? _random.Next(250, 262) : _random.Next(1, 5000);
        var open = _random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        var balanced = _random.Next(3) != 0;
        ReplaceValue(line, string.Concat(Enumerable.Repeat(open, depth)) + "1" + (balanced ? string.Concat(Enumerable.Repeat(close, depth)) : ""));
    }

    /// <summary>Replaces the value after a random colon with <paramref name="value"/> (the old value stays, as garbage, if it is not cut cleanly).</summary>
    private void ReplaceValue(List<byte> line, string value)
    {
        var colons = new List<int>();
        for (var i = 0; i < line.Count; i++)
        {
            if (line[i] == (byte)':')
            {
                colons.Add(i);
            }
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        if (colons.Count == 0)
        {
            line.InsertRange(_random.Next(line.Count + 1), bytes);
            return;
        }

        var start = colons[_random.Next(colons.Count)] + 1;
        var end = start;
        if (end < line.Count && line[end] == (byte)'"')
        {
            end++;
            while (end < line.Count && line[end] != (byte)'"')
            {
                end += line[end] == (byte)'\\' ? 2 : 1;
            }

            end = Math.Min(end + 1, line.Count);
        }
        else
        {
            while (end < line.Count && line[end] is not ((byte)',' or (byte)'}' or (byte)']'))
            {
                end++;
            }
        }

        line.RemoveRange(start, end - start);
        line.InsertRange(start, bytes);
    }
}
