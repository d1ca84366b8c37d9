using System.Text;

namespace Riposte.Alerts;

public sealed class AlertParserTests
{
    [Fact]
    public void Extracts_the_fields_matching_needs()
    {
        var alert = AlertParser.Parse(Fixtures.AlertLines[1]);

        alert.Id.ShouldBe("1764238317.108876");
        alert.RuleId.ShouldBe("5712");
        alert.RuleIdNumber.ShouldBe(5712);
        alert.RuleLevel.ShouldBe(10);
        alert.AgentId.ShouldBe("001");
        alert.AgentName.ShouldBe("web-01");
        alert.SrcIp.ShouldBe("203.0.113.45");
        alert.DstUser.ShouldBeNull();
        alert.Location.ShouldBe("/var/log/auth.log");
        alert.DecoderName.ShouldBe("sshd");
    }

    [Fact]
    public void Group_string_is_rebuilt_like_analysisd_holds_it()
    {
        var alert = AlertParser.Parse(Fixtures.AlertLines[1]);

        alert.GroupString.ShouldBe("syslog,sshd,authentication_failures,gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_SI.4,nist_800_53_AU.14,nist_800_53_AC.7,pci_dss_11.4,pci_dss_10.2.4,pci_dss_10.2.5,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,");
    }

    [Fact]
    public void Keeps_the_original_bytes()
    {
        var line = Fixtures.AlertLines[7];
        var alert = AlertParser.Parse(line);

        Encoding.UTF8.GetString(alert.Json.Span).ShouldBe(line);
        alert.WinIpAddress.ShouldBe("203.0.113.99");
        alert.SrcIp.ShouldBeNull();
    }

    [Fact]
    public void Syscheck_fields()
    {
        var alert = AlertParser.Parse(Fixtures.AlertLines[6]);

        alert.AgentId.ShouldBe("000");
        alert.DecoderName.ShouldBe("syscheck_integrity_changed");
        alert.SyscheckPath.ShouldBe("/etc/passwd");
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"rule\":")]
    [InlineData("not json")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    public void Rejects_what_is_not_one_json_object(string text)
    {
        AlertParser.TryParse(Encoding.UTF8.GetBytes(text), out var alert, out var error, out _).ShouldBeFalse();
        alert.ShouldBeNull();
        error.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void Long_group_lists_do_not_overflow()
    {
        var groups = string.Join(",", Enumerable.Range(0, 500).Select(i => $"\"group_with_a_long_name_{i}\""));
        var alert = AlertParser.Parse("{\"rule\":{\"level\":3,\"id\":\"1\",\"groups\":[" + groups + "]}}");

        alert.GroupString.Split(',', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(500);
    }

    [Fact]
    public void Numeric_rule_id_is_accepted()
    {
        AlertParser.Parse("""{"rule":{"level":5,"id":5715}}""").RuleIdNumber.ShouldBe(5715);
    }

    [Fact]
    public void Escaped_strings_are_decoded()
    {
        AlertParser.Parse("""{"data":{"dstuser":"d\u00e9j\u00e0"}}""").DstUser.ShouldBe("déjà");
    }

    private static byte[] Line(string prefix, byte[] middle, string suffix) =>
        [.. Encoding.UTF8.GetBytes(prefix), .. middle, .. Encoding.UTF8.GetBytes(suffix)];

    [Fact]
    public void Invalid_utf8_in_srcip_becomes_a_replacement_character_and_the_bytes_are_kept()
    {
        var json = Line("{\"data\":{\"srcip\":\"1.2.3.", [0xFF], "\"}}");

        AlertParser.TryParse(json, out var alert, out var error, out _).ShouldBeTrue(error);

        alert!.SrcIp.ShouldBe("1.2.3.\uFFFD");
        alert.Json.ToArray().ShouldBe(json);
    }

    [Theory]
    [InlineData("{\"rule\":{\"id\":\"57", "12\"}}")]
    [InlineData("{\"rule\":{\"level\":\"1", "0\"}}")]
    [InlineData("{\"rule\":{\"groups\":[\"ss", "hd\"]}}")]
    [InlineData("{\"rule\":{\"pci_dss\":[\"11", ".4\"]}}")]
    [InlineData("{\"agent\":{\"id\":\"00", "1\"}}")]
    [InlineData("{\"agent\":{\"name\":\"we", "b\"}}")]
    [InlineData("{\"agent\":{\"ip\":\"10", "\"}}")]
    [InlineData("{\"data\":{\"dstuser\":\"ro", "ot\"}}")]
    [InlineData("{\"data\":{\"dstuser\":\"r\\n", "\"}}")]
    [InlineData("{\"data\":{\"win\":{\"eventdata\":{\"ipAddress\":\"1", "\"}}}}")]
    [InlineData("{\"id\":\"17", "\"}")]
    [InlineData("{\"location\":\"/var/log/", "\"}")]
    [InlineData("{\"decoder\":{\"name\":\"ss", "hd\"}}")]
    [InlineData("{\"syscheck\":{\"path\":\"/etc/", "\"}}")]
    [InlineData("{\"full_log\":\"x", "\"}")]
    [InlineData("{\"data\":{\"s", "rcip\":\"1.2.3.4\"}}")]
    public void Invalid_utf8_in_any_field_never_throws(string prefix, string suffix)
    {
        foreach (var bad in new byte[][] { [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80] })
        {
            var json = Line(prefix, bad, suffix);

            AlertParser.TryParse(json, out var alert, out var error, out _).ShouldBeTrue(error);
            alert!.Json.Length.ShouldBe(json.Length);
        }
    }

    [Fact]
    public void Invalid_utf8_in_a_group_reaches_the_group_string_as_a_replacement_character()
    {
        var alert = AlertParser.Parse(Line("{\"rule\":{\"groups\":[\"ss", [0xFF], "hd\",\"x\"]}}"));

        alert.GroupString.ShouldBe("ss\uFFFDhd,x,");
    }

    [Theory]
    [InlineData("""{"data":{"srcip":"1.2.3.4\ud800"}}""", 25)]
    [InlineData("""{"data":{"srcip":"\udc00"}}""", 18)]
    [InlineData("""{"data":{"srcip":"\ud800\u0041"}}""", 18)]
    [InlineData("""{"data":{"dstuser":"\ud800"}}""", 20)]
    [InlineData("""{"rule":{"id":"\ud800"}}""", 15)]
    [InlineData("""{"rule":{"level":"\ud800"}}""", 18)]
    [InlineData("""{"rule":{"groups":["a","\ud800"]}}""", 24)]
    [InlineData("""{"agent":{"id":"\ud800"}}""", 16)]
    [InlineData("""{"id":"\ud800"}""", 7)]
    [InlineData("""{"location":"\ud800"}""", 13)]
    [InlineData("""{"syscheck":{"path":"\ud800"}}""", 21)]
    [InlineData("""{"data":{"win":{"eventdata":{"ipAddress":"\ud800"}}}}""", 42)]
    [InlineData("""{"full_log":"a\udfff"}""", 14)]
    [InlineData("""{"x":[{"y":"\ud800"}]}""", 12)]
    [InlineData("""{"\ud800":1}""", 2)]
    [InlineData("""{"data":{"\udc00srcip":"1.2.3.4"}}""", 10)]
    public void Unpaired_surrogate_escapes_reject_the_line_as_cjson_does(string json, long offset)
    {
        AlertParser.TryParse(Encoding.UTF8.GetBytes(json), out var alert, out var error, out var errorOffset).ShouldBeFalse();

        alert.ShouldBeNull();
        error.ShouldNotBeNull().ShouldContain("surrogate");
        errorOffset.ShouldBe(offset);
    }

    [Fact]
    public void Paired_surrogate_escapes_are_decoded()
    {
        AlertParser.Parse("""{"data":{"dstuser":"a\ud83d\ude00"},"full_log":"\ud83d\ude00"}""").DstUser.ShouldBe("a\U0001F600");
    }

    [Fact]
    public void A_nul_escape_ends_the_value_as_the_program_sees_it()
    {
        // cJSON strings are C strings: the program reads "1.2.3.4", so matching and checks see the same.
        var alert = AlertParser.Parse("""{"data":{"srcip":"1.2.3.4\u0000evil","dstuser":"\u0000"}}""");

        alert.SrcIp.ShouldBe("1.2.3.4");
        alert.DstUser.ShouldBe("");
    }

    [Theory]
    [InlineData("{\"data\":{\"srcip\":\"a\u0000\"}}")]
    [InlineData("{\"full_log\":\"a\u0001\"}")]
    [InlineData("{\"a\":1\u0000}")]
    [InlineData("\u0000{\"a\":1}")]
    public void Raw_control_characters_are_malformed(string json)
    {
        AlertParser.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error, out _).ShouldBeFalse();

        error.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void Numbers_cjson_cannot_parse_reject_the_line()
    {
        var json = "{\"full_log\":1" + new string('0', 63) + "}";

        AlertParser.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error, out var offset).ShouldBeFalse();

        error.ShouldNotBeNull().ShouldContain("63");
        offset.ShouldBe(12);
    }

    [Theory]
    [InlineData("""{"rule":{"id":1e400,"level":-1e400}}""", int.MaxValue, int.MinValue)]
    [InlineData("""{"rule":{"id":99999999999,"level":1.5}}""", int.MaxValue, 1)]
    public void Huge_numbers_saturate(string json, int id, int level)
    {
        var alert = AlertParser.Parse(json);

        alert.RuleIdNumber.ShouldBe(id);
        alert.RuleLevel.ShouldBe(level);
    }

    [Theory]
    [InlineData(257)]
    [InlineData(100_000)]
    public void Deep_nesting_is_malformed_without_recursion(int depth)
    {
        var json = "{\"full_log\":" + new string('[', depth) + new string(']', depth) + "}";

        AlertParser.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error, out var offset).ShouldBeFalse();

        error.ShouldNotBeNull().ShouldContain("depth");
        offset.ShouldBeGreaterThan(200);
    }

    [Fact]
    public void Nesting_up_to_the_limit_parses()
    {
        var json = "{\"data\":{\"x\":" + new string('[', 250) + new string(']', 250) + ",\"srcip\":\"1.2.3.4\"}}";

        AlertParser.Parse(json).SrcIp.ShouldBe("1.2.3.4");
    }
}
