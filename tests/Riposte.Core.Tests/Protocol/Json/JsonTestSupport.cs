using System.Buffers;
using System.Globalization;
using System.Text;

namespace Riposte.Protocol.Json;

internal static class JsonTestSupport
{
    public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "wazuh", name);

    /// <summary>Lines of a fixture file as raw bytes (no UTF-8 round trip through string).</summary>
    public static List<byte[]> FixtureLines(string name)
    {
        byte[] all = File.ReadAllBytes(FixturePath(name));
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i <= all.Length; i++)
        {
            if (i == all.Length || all[i] == '\n')
            {
                if (i > start)
                {
                    lines.Add(all[start..i]);
                }

                start = i + 1;
            }
        }

        return lines;
    }

    /// <summary>The line following the "### {label} ..." header of sample-ar-wire-messages.txt.</summary>
    public static byte[] WireMessage(string label)
    {
        List<byte[]> lines = FixtureLines("sample-ar-wire-messages.txt");
        byte[] header = Encoding.UTF8.GetBytes("### " + label + " ");
        int index = lines.FindIndex(l => l.AsSpan().StartsWith(header));
        index.ShouldBeGreaterThanOrEqualTo(0, $"header {label} not found");
        return lines[index + 1];
    }

    public static byte[] Canonicalize(byte[] json)
    {
        var output = new ArrayBufferWriter<byte>();
        CJsonCanonicalizer.TryCanonicalize(json, output, out string? error).ShouldBeTrue(error);
        error.ShouldBeNull();
        return output.WrittenSpan.ToArray();
    }

    public static string Canonicalize(string json) => Encoding.UTF8.GetString(Canonicalize(Encoding.UTF8.GetBytes(json)));

    public static bool TryCanonicalize(string json, out string? error) =>
        CJsonCanonicalizer.TryCanonicalize(Encoding.UTF8.GetBytes(json), new ArrayBufferWriter<byte>(), out error);

    public static string Show(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}

/// <summary>
/// Generates random JSON text exercising what the canonicalizer must normalize: whitespace, every
/// escape form, surrogate pairs, raw non-ASCII, \u0000, duplicate and case-variant keys, and numbers
/// in many spellings.
/// </summary>
internal sealed class RandomJson(Random random, int maxExponent = 300)
{
    private static readonly string[] Keys = ["a", "A", "b", "command", "COMMAND", "origin", "x y", "é", "", "k\\u0041"];

    public string Document()
    {
        var text = new StringBuilder();
        Whitespace(text);
        if (random.Next(4) == 0)
        {
            Value(text, 0);
        }
        else
        {
            Container(text, 0, isObject: random.Next(3) != 0);
        }

        Whitespace(text);
        return text.ToString();
    }

    private void Value(StringBuilder text, int depth)
    {
        int choice = random.Next(depth < 5 ? 10 : 7);
        switch (choice)
        {
            case 0:
            case 1:
                text.Append('"').Append(StringContent()).Append('"');
                break;
            case 2:
            case 3:
                text.Append(Number());
                break;
            case 4:
                text.Append("true");
                break;
            case 5:
                text.Append("false");
                break;
            case 6:
                text.Append("null");
                break;
            case 7:
            case 8:
                Container(text, depth, isObject: true);
                break;
            default:
                Container(text, depth, isObject: false);
                break;
        }
    }

    private void Container(StringBuilder text, int depth, bool isObject)
    {
        text.Append(isObject ? '{' : '[');
        int count = random.Next(5);
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                Whitespace(text);
                text.Append(',');
            }

            Whitespace(text);
            if (isObject)
            {
                string key = random.Next(3) == 0 ? StringContent() : Keys[random.Next(Keys.Length)];
                text.Append('"').Append(key).Append('"');
                Whitespace(text);
                text.Append(':');
                Whitespace(text);
            }

            Value(text, depth + 1);
            Whitespace(text);
        }

        if (count == 0)
        {
            Whitespace(text);
        }

        text.Append(isObject ? '}' : ']');
    }

    private void Whitespace(StringBuilder text)
    {
        while (random.Next(4) == 0)
        {
            text.Append(" \t\r\n"[random.Next(4)]);
        }
    }

    private string StringContent()
    {
        var text = new StringBuilder();
        int length = random.Next(12);
        for (int i = 0; i < length; i++)
        {
            switch (random.Next(12))
            {
                case 0:
                    text.Append(@"\""\\\/\b\f\n\r\t".AsSpan(random.Next(8) * 2, 2));
                    break;
                case 1:
                    // Any BMP code point outside the surrogate range, including controls and NUL.
                    int code = random.Next(4) == 0 ? random.Next(0x80) : random.Next(0xD800);
                    text.Append(CultureInfo.InvariantCulture, $"\\u{code:X4}");
                    break;
                case 2:
                    int high = 0xD800 + random.Next(0x400);
                    int low = 0xDC00 + random.Next(0x400);
                    text.Append(CultureInfo.InvariantCulture, $"\\u{high:x4}\\u{low:X4}");
                    break;
                case 3:
                    text.Append(new[] { "é", "日本", "😀", "\u007f", "/", "€" }[random.Next(6)]);
                    break;
                default:
                    text.Append((char)random.Next(0x20, 0x7F) switch
                    {
                        '"' => 'q',
                        '\\' => 'z',
                        char c => c,
                    });
                    break;
            }
        }

        return text.ToString();
    }

    private string Number()
    {
        var text = new StringBuilder();
        if (random.Next(3) == 0)
        {
            text.Append('-');
        }

        int integerDigits = random.Next(4) == 0 ? random.Next(10, 25) : random.Next(1, 6);
        text.Append(random.Next(5) == 0 ? '0' : (char)('1' + random.Next(9)));
        if (text[^1] != '0')
        {
            for (int i = 1; i < integerDigits; i++)
            {
                text.Append((char)('0' + random.Next(10)));
            }
        }

        if (random.Next(2) == 0)
        {
            text.Append('.');
            int fractionDigits = random.Next(1, 20);
            for (int i = 0; i < fractionDigits; i++)
            {
                text.Append((char)('0' + random.Next(10)));
            }
        }

        if (random.Next(3) == 0)
        {
            text.Append(random.Next(2) == 0 ? 'e' : 'E');
            if (random.Next(2) == 0)
            {
                text.Append(random.Next(2) == 0 ? '+' : '-');
            }

            text.Append(random.Next(maxExponent + 1).ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}

/// <summary>An <see cref="IBufferWriter{T}"/> that hands out spans no larger than requested, to exercise chunking.</summary>
internal sealed class StingyBufferWriter : IBufferWriter<byte>
{
    private readonly List<byte> _written = [];
    private byte[] _current = [];

    public byte[] Written => [.. _written];

    public void Advance(int count) => _written.AddRange(_current.AsSpan(0, count).ToArray());

    public Memory<byte> GetMemory(int sizeHint = 0) => _current = new byte[Math.Max(sizeHint, 1)];

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
