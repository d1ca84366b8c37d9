using System.Buffers;
using System.Text;
using FsCheck.Xunit;
using static Riposte.Protocol.Json.JsonTestSupport;

namespace Riposte.Protocol.Json;

public sealed class CJsonNodeTests
{
    private const string Program = "active-response/bin/firewall-drop";

    [Fact]
    public void ParsesAndPrintsFixtureAlertsByteForByte()
    {
        foreach (byte[] line in FixtureLines("sample-alerts.jsonl"))
        {
            CJsonNode.Parse(line).ToUtf8Bytes().ShouldBe(line);
        }
    }

    [Fact]
    public void TurnsTheAnalysisdMessageIntoTheExecdAddMessage()
    {
        // A3 is what execd receives, A4 what it writes to the program (spec §5.3).
        var root = (CJsonObject)CJsonNode.Parse(WireMessage("A3"));
        root.Replace("command", "add").ShouldBeTrue();
        root.GetObject("origin").ShouldNotBeNull().Replace("module", "wazuh-execd").ShouldBeTrue();
        root.GetObject("parameters").ShouldNotBeNull().Add("program", Program);

        Show(root.ToUtf8Bytes()).ShouldBe(Show(WireMessage("A4")));

        root.Replace("command", "continue");
        Show(root.ToUtf8Bytes()).ShouldBe(Show(WireMessage("A6")));
        root.Replace("command", "abort");
        Show(root.ToUtf8Bytes()).ShouldBe(Show(WireMessage("A7")));
        root.Replace("command", "delete");
        Show(root.ToUtf8Bytes()).ShouldBe(Show(WireMessage("A8")));
    }

    [Fact]
    public void RawAlertPassesThroughAnEditUnchanged()
    {
        byte[] message = WireMessage("A3");
        var root = (CJsonObject)CJsonNode.Parse(message);
        CJsonObject parameters = root.GetObject("parameters").ShouldNotBeNull();
        byte[] alert = parameters.Get("alert").ShouldNotBeNull().ToUtf8Bytes();
        parameters.Replace("alert", new CJsonRaw(alert)).ShouldBeTrue();
        parameters.Get("alert").ShouldBeOfType<CJsonRaw>();

        root.Replace("command", "add");
        root.GetObject("origin")!.Replace("module", "wazuh-execd");
        parameters.Add("program", Program);

        root.ToUtf8Bytes().ShouldBe(WireMessage("A4"));
        new CJsonRaw(alert).Expand().ToUtf8Bytes().ShouldBe(alert);
    }

    [Fact]
    public void RawFromJsonCanonicalizes()
    {
        var root = new CJsonObject();
        root.Add("alert", CJsonRaw.FromJson("{ \"a\" : 1.50, \"b\" : \"\\u00e9\" }"u8));
        root.ToJsonString().ShouldBe("{\"alert\":{\"a\":1.5,\"b\":\"é\"}}");
        Should.Throw<CJsonParseException>(() => CJsonRaw.FromJson("{"u8));
        Should.Throw<ArgumentException>(() => new CJsonRaw(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void GetIsAsciiCaseInsensitiveAndReturnsTheFirstMatch()
    {
        var root = (CJsonObject)CJsonNode.Parse("""{"Command":"first","command":"second","É":1,"é":2}"""u8);
        root.GetString("command").ShouldBe("first");
        root.GetString("COMMAND").ShouldBe("first");
        root.Get("cOmMaNd"u8).ShouldBeOfType<CJsonString>().Value.ShouldBe("first");
        root.IndexOf("command").ShouldBe(0);
        root.Get("missing").ShouldBeNull();
        root.Get("commands").ShouldBeNull();

        // C-locale tolower only folds ASCII.
        ((CJsonNumber)root.Get("é")!).Value.ShouldBe(2);
        ((CJsonNumber)root.Get("É")!).Value.ShouldBe(1);
    }

    [Fact]
    public void GetStringOnlyLooksAtTheFirstMatch()
    {
        var root = (CJsonObject)CJsonNode.Parse("""{"command":1,"command":"add"}"""u8);
        root.GetString("command").ShouldBeNull();
        root.GetObject("command").ShouldBeNull();
    }

    [Fact]
    public void ReplaceKeepsThePositionAndUsesTheGivenSpelling()
    {
        var root = (CJsonObject)CJsonNode.Parse("""{"version":1,"COMMAND":"x","parameters":{},"command":"y"}"""u8);
        root.Replace("command", new CJsonString("add")).ShouldBeTrue();
        root.ToJsonString().ShouldBe("""{"version":1,"command":"add","parameters":{},"command":"y"}""");
        root.Replace("absent", CJsonNull.Instance).ShouldBeFalse();
        root.Count.ShouldBe(4);
    }

    [Fact]
    public void AddAppendsLastEvenWhenTheNameExists()
    {
        var root = (CJsonObject)CJsonNode.Parse("""{"program":"old","a":1}"""u8);
        root.Add("program", "new");
        root.ToJsonString().ShouldBe("""{"program":"old","a":1,"program":"new"}""");
        root.GetString("program").ShouldBe("old");
        root.GetName(2).ShouldBe("program");
        root.GetValue(2).ShouldBeOfType<CJsonString>().Value.ShouldBe("new");
    }

    [Fact]
    public void RemoveDeletesOnlyTheFirstMatch()
    {
        var root = (CJsonObject)CJsonNode.Parse("""{"a":1,"b":2,"A":3}"""u8);
        root.Remove("a").ShouldBeTrue();
        root.ToJsonString().ShouldBe("""{"b":2,"A":3}""");
        root.Remove("a").ShouldBeTrue();
        root.Remove("a").ShouldBeFalse();
        root.ToJsonString().ShouldBe("""{"b":2}""");
    }

    [Fact]
    public void BuildsTreesFromScratch()
    {
        var parameters = new CJsonObject();
        parameters.Add("extra_args", new CJsonArray([new CJsonString("-a"), new CJsonString("1")]));
        parameters.Add("flag", CJsonBool.True);
        parameters.Add("off", CJsonBool.From(false));
        parameters.Add("none", CJsonNull.Instance);
        parameters.Add("n", new CJsonNumber(-0.0));
        parameters.Add("f", new CJsonNumber(double.NaN));
        parameters.Add("path", "C:\\dir/\"q\"\t\u0001é");

        var root = new CJsonObject();
        root.Add("version", new CJsonNumber(1));
        root.Add("parameters", parameters);
        root.ToJsonString().ShouldBe(
            """{"version":1,"parameters":{"extra_args":["-a","1"],"flag":true,"off":false,"none":null,"n":0,"f":null,"path":"C:\\dir/\"q\"\t\u0001é"}}""");

        CJsonArray array = parameters.GetArray("extra_args").ShouldNotBeNull();
        array.Insert(0, new CJsonNumber(2.5));
        array[2] = CJsonNull.Instance;
        array.RemoveAt(1);
        array.ToJsonString().ShouldBe("[2.5,null]");
        array.Items.Count.ShouldBe(2);
    }

    [Fact]
    public void StringsAreCStrings()
    {
        new CJsonString("ab\0cd").Value.ShouldBe("ab");
        new CJsonString("ab\0cd").ToJsonString().ShouldBe("\"ab\"");
        CJsonString.FromUtf8("x\0y"u8).Utf8Value.ToArray().ShouldBe("x"u8.ToArray());

        var root = new CJsonObject();
        root.Add("k\0ignored", "v");
        root.ToJsonString().ShouldBe("""{"k":"v"}""");
        root.GetString("k").ShouldBe("v");
        root.GetString("k\0other").ShouldBe("v"); // strcmp-style comparison stops at the NUL too
    }

    [Fact]
    public void LoneSurrogatesInDotNetStringsBecomeReplacementCharacters()
    {
        var node = new CJsonString("a\ud800");
        node.Value.ShouldBe("a\uFFFD");
        node.ToUtf8Bytes().ShouldBe(new byte[] { (byte)'"', (byte)'a', 0xEF, 0xBF, 0xBD, (byte)'"' });
    }

    [Fact]
    public void KeepsInvalidUtf8Bytes()
    {
        byte[] input = [(byte)'{', (byte)'"', 0xFF, (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'];
        CJsonNode node = CJsonNode.Parse(input);
        node.ToUtf8Bytes().ShouldBe(input);
        ((CJsonObject)node).GetValue(0).ShouldBeOfType<CJsonString>().Value.ShouldBe("\uFFFD(");
    }

    [Fact]
    public void NumbersKeepTheirDoubleAndCJsonsValueInt()
    {
        var array = (CJsonArray)CJsonNode.Parse("[1.50, 3e9, -3e9, -7.9, 1e400]"u8);
        array.ToJsonString().ShouldBe("[1.5,3000000000,-3000000000,-7.9,null]");
        ((CJsonNumber)array[0]).Value.ShouldBe(1.5);
        ((CJsonNumber)array[1]).ValueInt.ShouldBe(int.MaxValue);
        ((CJsonNumber)array[2]).ValueInt.ShouldBe(int.MinValue);
        ((CJsonNumber)array[3]).ValueInt.ShouldBe(-7);
        array[4].Kind.ShouldBe(CJsonNodeKind.Number);
    }

    [Fact]
    public void ParseFailuresCarryTheByteOffset()
    {
        Should.Throw<CJsonParseException>(() => CJsonNode.Parse("{\"a\":[1,2,}"u8)).ByteOffset.ShouldBe(10);
        Should.Throw<CJsonParseException>(() => CJsonNode.Parse("[\"ok\",\"\\udc00\"]"u8)).ByteOffset.ShouldBe(7);
        Should.Throw<CJsonParseException>(() => CJsonNode.Parse("{\"a\":1}\n\n  ]")).ByteOffset.ShouldBe(11);
        Should.Throw<CJsonParseException>(() => CJsonNode.Parse("[" + new string('1', 64) + "]")).ByteOffset.ShouldBe(64);

        CJsonNode.TryParse("nul"u8, out CJsonNode? node).ShouldBeFalse();
        node.ShouldBeNull();
        CJsonNode.TryParse("[1] x"u8, out _, out string? error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldStartWith("Invalid JSON at byte offset 4:");
        CJsonNode.TryParse(" [1] "u8, out node, out error).ShouldBeTrue();
        node.ShouldBeOfType<CJsonArray>();
        error.ShouldBeNull();
    }

    [Fact]
    public void ExposesMembersAndKinds()
    {
        var root = (CJsonObject)CJsonNode.Parse("""{"s":"x","n":1,"t":true,"z":null,"o":{},"a":[]}"""u8);
        root.Members.Select(m => $"{m.Key}:{m.Value.Kind}").ShouldBe(
            ["s:String", "n:Number", "t:Bool", "z:Null", "o:Object", "a:Array"]);
        root.ToString().ShouldBe(root.ToJsonString());
        root.RemoveAt(0);
        root.GetName(0).ShouldBe("n");
    }

    [Fact]
    public void WriteToAppendsToTheWriter()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write("prefix "u8);
        CJsonNode.Parse("{ \"a\" : [ ] }").WriteTo(output);
        Encoding.UTF8.GetString(output.WrittenSpan).ShouldBe("prefix {\"a\":[]}");
    }

    [Fact]
    public void HandlesDeepNestingWithoutRecursionInTheParser()
    {
        string deep = new string('[', 1000) + new string(']', 1000);
        CJsonNode.Parse(deep).ToJsonString().ShouldBe(deep);
        CJsonNode.TryParse(Encoding.UTF8.GetBytes("[" + deep + "]"), out _).ShouldBeFalse();
    }

    [Property(MaxTest = 400)]
    public void ParseThenWriteEqualsCanonicalize(int seed)
    {
        byte[] json = Encoding.UTF8.GetBytes(new RandomJson(new Random(seed)).Document());
        CJsonNode.Parse(json).ToUtf8Bytes().ShouldBe(JsonTestSupport.Canonicalize(json), Show(json));
    }

    [Property(MaxTest = 200)]
    public void ParseAgreesWithCanonicalizeOnRejection(int seed)
    {
        // Corrupt a random document by one byte; both entry points must accept or reject it alike.
        var random = new Random(seed);
        byte[] json = Encoding.UTF8.GetBytes(new RandomJson(random).Document());
        const string Replacements = "{}[]\",:\\u0e-+. x";
        json[random.Next(json.Length)] = (byte)Replacements[random.Next(Replacements.Length)];

        var output = new ArrayBufferWriter<byte>();
        bool canonicalized = CJsonCanonicalizer.TryCanonicalize(json, output, out _);
        CJsonNode.TryParse(json, out CJsonNode? node).ShouldBe(canonicalized);
        if (canonicalized)
        {
            node!.ToUtf8Bytes().ShouldBe(output.WrittenSpan.ToArray());
        }
    }
}
