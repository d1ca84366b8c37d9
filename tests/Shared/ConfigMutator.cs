using System.Text;

namespace Riposte;

/// <summary>
/// Deterministic mutations of configuration files for the fuzz tests: byte flips, truncation, deep nesting,
/// attribute and element floods, numeric overflow, invalid UTF-8 and JSON-specific breakage.
/// </summary>
internal sealed class ConfigMutator(int seed)
{
    /// <summary>The seed used unless RIPOSTE_FUZZ_SEED says otherwise.</summary>
    public const int DefaultSeed = 20_240_601;

    private readonly Random _random = new(seed);

    /// <summary>The seed from RIPOSTE_FUZZ_SEED, or <see cref="DefaultSeed"/>.</summary>
    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("RIPOSTE_FUZZ_SEED"), out var s) ? s : DefaultSeed;

    /// <summary>Iterations from RIPOSTE_FUZZ_ITERATIONS (for long runs), or <paramref name="fallback"/> (a few seconds).</summary>
    public static int Iterations(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("RIPOSTE_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : fallback;

    /// <summary>One mutation of <paramref name="input"/>; <paramref name="name"/> says which, for failure messages.</summary>
    public byte[] Mutate(byte[] input, bool json, out string name)
    {
        var choice = _random.Next(json ? 9 : 8);
        switch (choice)
        {
            case 0:
                name = "byte flips";
                return Flip(input);
            case 1:
                name = "truncation";
                return input[.._random.Next(input.Length + 1)];
            case 2:
                name = "deep nesting";
                return json ? InsertJson(input, Repeat("[", Big()) + Repeat("]", _random.Next(2) * Big())) : Insert(input, Nest(Big()));
            case 3:
                name = "attribute flood";
                return json ? InsertJson(input, "{" + string.Join(',', Enumerable.Range(0, Big()).Select(i => $"\"k{i}\":{i}")) + "}")
                    : Insert(input, "<global " + string.Join(' ', Enumerable.Range(0, Big()).Select(i => $"a{i}=\"{i}\"")) + "/>");
            case 4:
                name = "numeric overflow";
                return ReplaceNumbers(input);
            case 5:
                name = "invalid UTF-8";
                return InsertBytes(input, [.. Enumerable.Range(0, _random.Next(1, 6)).Select(_ => (byte)_random.Next(0x80, 0x100))]);
            case 6:
                name = "element flood";
                return json ? InsertJson(input, "[" + string.Join(',', Enumerable.Repeat("{}", Big())) + "]")
                    : Insert(input, Repeat("<a/>", Big()));
            case 7:
                name = "stacked mutations";
                return Flip(ReplaceNumbers(input[.._random.Next(input.Length / 2, input.Length + 1)]));
            default:
                name = "lone surrogate";
                return InsertBytes(input, Encoding.ASCII.GetBytes(_random.Next(2) == 0 ? "\"\\ud800\"" : "\\udfff"));
        }
    }

    /// <summary>Mostly small, sometimes far past every limit.</summary>
    private int Big() => _random.Next(4) switch
    {
        0 => _random.Next(1, 100),
        1 => _random.Next(100, 1_000),
        2 => _random.Next(1_000, 20_000),
        _ => _random.Next(20_000, 200_000),
    };

    private static string Repeat(string s, int count) => new StringBuilder(s.Length * count).Insert(0, s, count).ToString();

    private static string Nest(int depth) => Repeat("<a>", depth) + Repeat("</a>", depth);

    private byte[] Flip(byte[] input)
    {
        var output = (byte[])input.Clone();
        for (var i = _random.Next(1, 16); i > 0 && output.Length > 0; i--)
        {
            output[_random.Next(output.Length)] = (byte)_random.Next(256);
        }

        return output;
    }

    private byte[] Insert(byte[] input, string text) => InsertBytes(input, Encoding.UTF8.GetBytes(text));

    /// <summary>JSON inserts go where a value may start (after a colon) half of the time, so they reach the binder.</summary>
    private byte[] InsertJson(byte[] input, string value)
    {
        var colons = Enumerable.Range(0, input.Length).Where(i => input[i] == (byte)':').ToArray();
        if (colons.Length == 0 || _random.Next(2) == 0)
        {
            return Insert(input, value);
        }

        var at = colons[_random.Next(colons.Length)] + 1;
        return [.. input[..at], .. Encoding.UTF8.GetBytes(value + ","), .. input[at..]];
    }

    private byte[] InsertBytes(byte[] input, byte[] insert)
    {
        var at = _random.Next(input.Length + 1);
        return [.. input[..at], .. insert, .. input[at..]];
    }

    private byte[] ReplaceNumbers(byte[] input)
    {
        string[] huge = ["4294967295", "4294967296", "2147483648", "-2147483649", "99999999999", "9223372036854775808", "-99999999999999999999999", "1e400", "0x7fffffff"];
        var output = new List<byte>(input.Length + 64);
        for (var i = 0; i < input.Length; i++)
        {
            if (char.IsAsciiDigit((char)input[i]) && _random.Next(3) == 0)
            {
                while (i + 1 < input.Length && char.IsAsciiDigit((char)input[i + 1]))
                {
                    i++;
                }

                output.AddRange(Encoding.ASCII.GetBytes(huge[_random.Next(huge.Length)]));
            }
            else
            {
                output.Add(input[i]);
            }
        }

        return [.. output];
    }
}
