using System.Buffers;
using System.Text;
using System.Text.Json;
using FsCheck.Xunit;
using static Riposte.Protocol.Json.JsonTestSupport;

namespace Riposte.Protocol.Json;

public sealed class CJsonCanonicalizerTests
{
    [Fact]
    public void RemovesWhitespaceAndKeepsKeyOrder() =>
        Canonicalize(" {\n\t\"z\" : 1 ,\r\n \"a\":[ 1 , 2 ,{ } ,[ ] ] , \"m\" : { \"b\" : true , \"a\" : null } } ")
            .ShouldBe("""{"z":1,"a":[1,2,{},[]],"m":{"b":true,"a":null}}""");

    [Fact]
    public void KeepsDuplicateKeysInOrder() =>
        Canonicalize("""{"a":1,"b":2,"a":3,"A":4}""").ShouldBe("""{"a":1,"b":2,"a":3,"A":4}""");

    [Theory]
    [InlineData("\"\"", "\"\"")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("null", "null")]
    [InlineData(" 42 ", "42")]
    [InlineData("\"x\"", "\"x\"")]
    public void CanonicalizesTopLevelScalars(string json, string expected) => Canonicalize(json).ShouldBe(expected);

    [Theory]
    [InlineData("""["\u001F"]""", """["\u001f"]""")] // lower-case hex
    [InlineData("""["\u0001\u007f"]""", "[\"\\u0001\u007f\"]")] // DEL is not escaped
    [InlineData("""["\u0008\u000C\u000a\u000D\u0009"]""", """["\b\f\n\r\t"]""")]
    [InlineData("""["\b\f\n\r\t"]""", """["\b\f\n\r\t"]""")]
    [InlineData("""["\"\\"]""", """["\"\\"]""")]
    [InlineData("""["\u0022\u005C"]""", """["\"\\"]""")]
    [InlineData("""["\/a/b"]""", """["/a/b"]""")]
    [InlineData("""["\u0041\u00e9\u20AC"]""", "[\"Aé€\"]")]
    [InlineData("""["\ud83d\ude00"]""", "[\"😀\"]")]
    [InlineData("[\"é日本😀/\"]", "[\"é日本😀/\"]")] // raw non-ASCII and '/' pass through
    [InlineData("""["<tag> & 'q' +"]""", """["<tag> & 'q' +"]""")]
    public void NormalizesStringEscapes(string json, string expected) => Canonicalize(json).ShouldBe(expected);

    [Fact]
    public void SurrogatePairBecomesFourByteUtf8()
    {
        byte[] output = JsonTestSupport.Canonicalize("\"\\uD83D\\uDE00\""u8.ToArray());
        output.ShouldBe(new byte[] { (byte)'"', 0xF0, 0x9F, 0x98, 0x80, (byte)'"' });
    }

    [Fact]
    public void EscapedNulEndsTheStringLikeACString()
    {
        // cJSON decodes \u0000 into its C string, which then ends there, in values and in names.
        Canonicalize("""{"ab\u0000cd":"x\u0000\n\u00e9","k":"\u0000"}""").ShouldBe("""{"ab":"x","k":""}""");
    }

    [Fact]
    public void DecodesSystemTextJsonEscapes()
    {
        // System.Text.Json escapes non-ASCII and HTML-sensitive characters by default; cJSON prints them raw.
        string json = JsonSerializer.Serialize(new { text = "é <a href='x'>&</a> +😀", path = "/var/log" });
        json.ShouldContain("\\u00E9");
        Canonicalize(json).ShouldBe("{\"text\":\"é <a href='x'>&</a> +😀\",\"path\":\"/var/log\"}");
    }

    [Theory]
    [InlineData("1.50", "1.5")]
    [InlineData("1.0", "1")]
    [InlineData("1E3", "1000")]
    [InlineData("1e+3", "1000")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("0.1e1", "1")]
    [InlineData("100000000000000000000", "1e+20")]
    [InlineData("12345678901234567890", "1.2345678901234567e+19")]
    [InlineData("2147483648", "2147483648")]
    [InlineData("-2147483649", "-2147483649")]
    [InlineData("123456789", "123456789")]
    [InlineData("-123456789", "-123456789")]
    [InlineData("1234567890", "1234567890")]
    [InlineData("0.30000000000000004", "0.3")]
    [InlineData("1e400", "null")] // strtod overflows to inf, which prints as null
    [InlineData("-1e400", "null")]
    [InlineData("1e-400", "0")]
    [InlineData("5e-324", "4.94065645841247e-324")]
    public void ReprintsNumbersFromTheirDoubleValue(string number, string expected)
    {
        Canonicalize("[" + number + "]").ShouldBe("[" + expected + "]");
        Canonicalize(number).ShouldBe(expected);
    }

    [Fact]
    public void RejectsNumbersLongerThanCJsonsScratchBufferInsideContainers()
    {
        string sixtyThree = "1." + new string('5', 61);
        Canonicalize("[" + sixtyThree + "]").ShouldBe("[1.5555555555555556]");
        TryCanonicalize("[" + sixtyThree + "5]", out string? error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain("byte offset 64");
    }

    [Fact]
    public void TopLevelLongNumberUsesTheFirstSixtyThreeCharacters()
    {
        // cJSON_Parse accepts trailing characters after a complete top-level value.
        Canonicalize("1" + new string('0', 70)).ShouldBe("1e+62");
        Canonicalize("1." + new string('0', 60) + "1e5").ShouldBe("1"); // cut after "e": strtod stops before it
    }

    [Fact]
    public void SkipsUtf8ByteOrderMark()
    {
        byte[] input = [0xEF, 0xBB, 0xBF, .. "{ \"a\" : 1 }"u8];
        Show(JsonTestSupport.Canonicalize(input)).ShouldBe("""{"a":1}""");
    }

    [Fact]
    public void PassesInvalidUtf8ThroughLikeCJson()
    {
        byte[] input = [(byte)'[', (byte)'"', 0xC3, 0x28, 0xFF, (byte)'"', (byte)']'];
        JsonTestSupport.Canonicalize(input).ShouldBe(input);
    }

    [Fact]
    public void AcceptsCJsonsNestingLimitAndNoMore()
    {
        Canonicalize(new string('[', 1000) + new string(']', 1000)).Length.ShouldBe(2000);
        TryCanonicalize(new string('[', 1001) + new string(']', 1001), out string? error).ShouldBeFalse();
        error.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("   ", 3)]
    [InlineData("{\"a\":1,}", 7)]
    [InlineData("[1,]", 3)]
    [InlineData("[1 2]", 3)]
    [InlineData("{\"a\" 1}", 5)]
    [InlineData("{\"a\":1} x", 8)]
    [InlineData("[01]", 2)]
    [InlineData("[1.]", 3)]
    [InlineData("[+1]", 1)]
    [InlineData("[.5]", 1)]
    [InlineData("[NaN]", 1)]
    [InlineData("{a:1}", 1)]
    [InlineData("['a']", 1)]
    [InlineData("[\"abc", 5)]
    [InlineData("[\"a\tb\"]", 3)] // raw control character
    [InlineData("[\"\\x41\"]", 3)]
    [InlineData("[\"\\u12\"]", 6)]
    [InlineData("[\"\\ud800\"]", 2)] // lone high surrogate
    [InlineData("[\"ab\\udc00\"]", 4)] // lone low surrogate
    [InlineData("[\"\\ud800\\u0041\"]", 2)] // high surrogate followed by a non-low-surrogate
    [InlineData("[\"\\ud800x\\udc00\"]", 2)]
    [InlineData("// c\n1", 0)]
    [InlineData("[1] /* c */", 4)]
    [InlineData("[1,\n 2,\n x]", 9)]
    public void RejectsWhatIsNotJsonOrWhatCJsonRejects(string json, long offset)
    {
        TryCanonicalize(json, out string? error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldStartWith($"Invalid JSON at byte offset {offset}:");

        Should.Throw<CJsonParseException>(() => CJsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(json)))
            .ByteOffset.ShouldBe(offset);
    }

    [Fact]
    public void RoundTripsEveryFixtureAlertByteForByte()
    {
        List<byte[]> lines = FixtureLines("sample-alerts.jsonl");
        lines.Count.ShouldBe(10);
        foreach (byte[] line in lines)
        {
            Show(JsonTestSupport.Canonicalize(line)).ShouldBe(Show(line));
            JsonTestSupport.Canonicalize(line).ShouldBe(line);
        }
    }

    [Fact]
    public void RoundTripsEveryCompactFixtureWireMessage()
    {
        int count = 0;
        foreach (byte[] line in FixtureLines("sample-ar-wire-messages.txt"))
        {
            int start = line.AsSpan().IndexOf((byte)'{');
            if (start < 0 || line[0] == '#' && line[1] == '#')
            {
                continue;
            }

            byte[] json = line[start..];
            if (json.AsSpan().StartsWith("{\"version\": "u8))
            {
                continue; // API messages (Python spacing) are checked separately
            }

            JsonTestSupport.Canonicalize(json).ShouldBe(json);
            count++;
        }

        count.ShouldBeGreaterThan(10);
    }

    [Fact]
    public void CompactsPythonSpacedApiMessages()
    {
        byte[] f1 = WireMessage("F1");
        Show(JsonTestSupport.Canonicalize(f1[f1.AsSpan().IndexOf((byte)'{')..]))
            .ShouldBe("""{"version":1,"origin":{"name":null,"module":"API"},"command":"!custom.sh","parameters":{"extra_args":["-a","1"],"alert":{"data":{"srcip":"1.2.3.4"}}}}""");
        Show(JsonTestSupport.Canonicalize(WireMessage("F5")))
            .ShouldBe("""{"version":1,"origin":{"module":"API"},"command":"restart-wazuh","parameters":{"extra_args":[],"alert":{}}}""");
    }

    [Fact]
    public void WritesCorrectlyThroughAWriterThatHandsOutTinySpans()
    {
        var random = new Random(3);
        foreach (byte[] line in FixtureLines("sample-alerts.jsonl"))
        {
            var stingy = new StingyBufferWriter();
            CJsonCanonicalizer.TryCanonicalize(line, stingy, out _).ShouldBeTrue();
            stingy.Written.ShouldBe(line);
        }

        for (int i = 0; i < 200; i++)
        {
            byte[] json = Encoding.UTF8.GetBytes(new RandomJson(random).Document());
            var stingy = new StingyBufferWriter();
            CJsonCanonicalizer.TryCanonicalize(json, stingy, out _).ShouldBeTrue();
            stingy.Written.ShouldBe(JsonTestSupport.Canonicalize(json));
        }
    }

    [Fact]
    public void DoesNotAllocateWhenCanonicalizingAlerts()
    {
        List<byte[]> lines = FixtureLines("sample-alerts.jsonl");
        byte[] withFloats = Encoding.UTF8.GetBytes("""{"score": 0.95, "big": 12345678901234567890, "tiny": 1.5e-7, "s": "a\u00e9\n\/"}""");
        lines.Add(withFloats);
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        for (int warmup = 0; warmup < 3; warmup++)
        {
            Run();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            Run();
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);

        void Run()
        {
            foreach (byte[] line in lines)
            {
                output.ResetWrittenCount();
                if (!CJsonCanonicalizer.TryCanonicalize(line, output, out _))
                {
                    throw new InvalidOperationException("canonicalization failed");
                }
            }
        }
    }

    [Property(MaxTest = 300)]
    public void CanonicalizationIsIdempotent(int seed)
    {
        byte[] json = Encoding.UTF8.GetBytes(new RandomJson(new Random(seed)).Document());
        byte[] once = JsonTestSupport.Canonicalize(json);
        JsonTestSupport.Canonicalize(once).ShouldBe(once, Show(json));
    }

    [Property(MaxTest = 300)]
    public void CanonicalOutputIsValidJsonWithTheSameStructure(int seed)
    {
        byte[] json = Encoding.UTF8.GetBytes(new RandomJson(new Random(seed), maxExponent: 200).Document());
        byte[] canonical = JsonTestSupport.Canonicalize(json);
        using JsonDocument original = JsonDocument.Parse(json);
        using JsonDocument printed = JsonDocument.Parse(canonical);
        Shape(printed.RootElement).ShouldBe(Shape(original.RootElement));
    }

    [Property(MaxTest = 300)]
    public void MatchesAnIndependentModelBuiltOnJsonDocument(int seed)
    {
        string json = new RandomJson(new Random(seed), maxExponent: 400).Document();
        using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 1000 });
        var expected = new StringBuilder();
        Model(document.RootElement, expected);
        Canonicalize(json).ShouldBe(expected.ToString(), json);
    }

    [Fact]
    public void DoubleMaxIsTheOneValueThatDoesNotSurviveASecondPass()
    {
        // cJSON prints DBL_MAX with 15 digits, which strtod then reads as infinity.
        Canonicalize("1.7976931348623157e308").ShouldBe("1.79769313486232e+308");
        Canonicalize("1.79769313486232e+308").ShouldBe("null");
    }

    /// <summary>What cJSON prints, derived from System.Text.Json's decoding and the reference number printer.</summary>
    private static void Model(JsonElement element, StringBuilder output)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                output.Append('{');
                output.AppendJoin(',', element.EnumerateObject().Select(p =>
                {
                    var member = new StringBuilder();
                    ModelString(p.Name, member);
                    member.Append(':');
                    Model(p.Value, member);
                    return member.ToString();
                }));
                output.Append('}');
                break;
            case JsonValueKind.Array:
                output.Append('[');
                output.AppendJoin(',', element.EnumerateArray().Select(e =>
                {
                    var item = new StringBuilder();
                    Model(e, item);
                    return item.ToString();
                }));
                output.Append(']');
                break;
            case JsonValueKind.String:
                ModelString(element.GetString()!, output);
                break;
            case JsonValueKind.Number:
                output.Append(ReferenceCJson.PrintNumber(double.Parse(element.GetRawText(), System.Globalization.CultureInfo.InvariantCulture)));
                break;
            default:
                output.Append(element.GetRawText());
                break;
        }
    }

    private static void ModelString(string value, StringBuilder output)
    {
        int nul = value.IndexOf('\0', StringComparison.Ordinal);
        output.Append('"');
        foreach (char c in nul < 0 ? value : value[..nul])
        {
            output.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        output.Append('"');
    }

    /// <summary>Structure without values or member names (which NUL truncation may change).</summary>
    private static string Shape(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().Select(p => Shape(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Shape)) + "]",
        JsonValueKind.Number => "n",
        JsonValueKind.String => "s",
        _ => element.ValueKind.ToString(),
    };
}
