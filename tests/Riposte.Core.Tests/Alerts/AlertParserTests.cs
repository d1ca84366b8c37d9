using System.Text;
using Riposte.Config;
using Riposte.Matching;
using Riposte.Protocol;
using Riposte.Protocol.Execd;

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
    // cJSON_GetObjectItem (execd, every program, ExecdMessage) takes the first member whose name matches ignoring ASCII
    // case; the parser must read the same member, or the alert is matched and white-list-checked on another value.
    [Theory]
    [InlineData("""{"data":{"srcip":"1.1.1.1","srcip":"2.2.2.2"}}""", "1.1.1.1")]
    [InlineData("""{"data":{"SrcIp":"1.1.1.1","srcip":"2.2.2.2"}}""", "1.1.1.1")]
    [InlineData("""{"data":{"srcip":"1.1.1.1","SRCIP":"2.2.2.2"}}""", "1.1.1.1")]
    [InlineData("""{"data":{"srcip":7,"srcip":"2.2.2.2"}}""", null)]
    [InlineData("""{"data":{"srcip":null,"srcip":"2.2.2.2"}}""", null)]
    [InlineData("""{"data":{"srcip":{"a":"x"},"srcip":"2.2.2.2"}}""", null)]
    [InlineData("""{"data":{"srcip":"1.1.1.1"},"data":{"srcip":"2.2.2.2"}}""", "1.1.1.1")]
    [InlineData("""{"data":"x","data":{"srcip":"2.2.2.2"}}""", null)]
    [InlineData("""{"data":[],"data":{"srcip":"2.2.2.2"}}""", null)]
    [InlineData("""{"DATA":{"srcip":"1.1.1.1"},"data":{"srcip":"2.2.2.2"}}""", "1.1.1.1")]
    [InlineData("""{"Data":{"x":1},"data":{"srcip":"2.2.2.2"}}""", null)]
    [InlineData("""{"data":{"src\u0049p":"1.1.1.1","srcip":"2.2.2.2"}}""", "1.1.1.1")]
    [InlineData("""{"data":{"srcip\u0000evil":"1.1.1.1","srcip":"2.2.2.2"}}""", "1.1.1.1")]
    [InlineData("""{"d\u0041ta\u0000":{"srcip":"1.1.1.1"},"data":{"srcip":"2.2.2.2"}}""", "1.1.1.1")]
    public void Srcip_is_the_first_member_matching_ignoring_ascii_case(string json, string? srcip)
    {
        AlertParser.Parse(json).SrcIp.ShouldBe(srcip);
        TargetIpOf(json).ShouldBe(srcip);
    }

    // cJSON folds case with tolower on single bytes in the C locale: only A-Z. .NET's OrdinalIgnoreCase would fold
    // U+017F (long s) to S and U+0131 (dotless i) to I; cJSON does not, so these names match nothing.
    [Theory]
    [InlineData("""{"data":{"ſrcip":"1.1.1.1","srcip":"2.2.2.2"}}""")]
    [InlineData("""{"data":{"\u017frcip":"1.1.1.1","srcip":"2.2.2.2"}}""")]
    [InlineData("""{"data":{"srcıp":"1.1.1.1","srcip":"2.2.2.2"}}""")]
    [InlineData("""{"data":{"ＳRCIP":"1.1.1.1","srcip":"2.2.2.2"}}""")]
    [InlineData("""{"dat\u00e1":{"srcip":"1.1.1.1"},"data":{"srcip":"2.2.2.2"}}""")]
    public void Only_ascii_letters_fold(string json)
    {
        AlertParser.Parse(json).SrcIp.ShouldBe("2.2.2.2");
        TargetIpOf(json).ShouldBe("2.2.2.2");
    }

    [Fact]
    public void Every_field_read_takes_the_first_case_insensitive_match()
    {
        var alert = AlertParser.Parse("""
            {"ID":"1.1","id":"2.2","LOCATION":"/first","location":"/second",
             "Rule":{"ID":"100","id":"200","Level":5,"level":9,"GROUPS":["a"],"groups":["b"],"PCI_DSS":["1"],"pci_dss":["2"],
                     "Gpg13":["g"],"gpg13":["h"],"GDPR":["x"],"gdpr":["y"],"HIPAA":["h1"],"hipaa":["h2"],
                     "NIST_800_53":["n1"],"nist_800_53":["n2"],"TSC":["t1"],"tsc":["t2"],"CIS":["c1"],"cis":["c2"]},
             "rule":{"id":"300","level":15,"groups":["z"]},
             "AGENT":{"Id":"001","id":"002","NAME":"one","name":"two","IP":"10.0.0.1","ip":"10.0.0.2"},
             "agent":{"id":"003"},
             "Data":{"DstUser":"alice","dstuser":"bob","WIN":{"EventData":{"IPADDRESS":"1.1.1.1","ipAddress":"2.2.2.2",
                     "DestinationIP":"3.3.3.3","destinationIp":"4.4.4.4"},"eventdata":{"ipAddress":"5.5.5.5"}},
                     "win":{"eventdata":{"ipAddress":"6.6.6.6"}}},
             "Decoder":{"Name":"first","name":"second"},"decoder":{"name":"third"},
             "SYSCHECK":{"Path":"/etc/a","path":"/etc/b"},"syscheck":{"path":"/etc/c"}}
            """);

        alert.Id.ShouldBe("1.1");
        alert.Location.ShouldBe("/first");
        alert.RuleId.ShouldBe("100");
        alert.RuleIdNumber.ShouldBe(100);
        alert.RuleLevel.ShouldBe(5);
        alert.GroupString.ShouldBe("a,pci_dss_1,gpg13_g,gdpr_x,hipaa_h1,nist_800_53_n1,tsc_t1,cis_c1,");
        alert.AgentId.ShouldBe("001");
        alert.AgentName.ShouldBe("one");
        alert.AgentIp.ShouldBe("10.0.0.1");
        alert.DstUser.ShouldBe("alice");
        alert.WinIpAddress.ShouldBe("1.1.1.1");
        alert.WinDestinationIp.ShouldBe("3.3.3.3");
        alert.DecoderName.ShouldBe("first");
        alert.SyscheckPath.ShouldBe("/etc/a");
    }

    [Theory]
    [InlineData("""{"rule":{"id":null,"id":"5"}}""", null, 0)]
    [InlineData("""{"rule":{"level":[],"level":10}}""", null, 0)]
    [InlineData("""{"rule":"x","rule":{"id":"5","level":10}}""", null, 0)]
    public void A_first_member_of_the_wrong_type_hides_later_duplicates(string json, string? ruleId, int level)
    {
        var alert = AlertParser.Parse(json);

        alert.RuleId.ShouldBe(ruleId);
        alert.RuleLevel.ShouldBe(level);
    }

    [Fact]
    public void A_later_groups_array_is_not_appended()
    {
        AlertParser.Parse("""{"rule":{"groups":["a"],"pci_dss":["1"],"Groups":["b"],"PCI_DSS":["2"]}}""").GroupString.ShouldBe("a,pci_dss_1,");
    }

    private static readonly WazuhConfig WhiteListed = OssecConfigReader.ReadText(Fixtures.Conf(Fixtures.FirewallDropCommand + """
        <global><white_list>10.0.0.0/8</white_list></global>
        <active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>
        """)).Config!;

    [Fact]
    public void A_white_listed_first_srcip_is_not_hidden_by_a_later_case_variant()
    {
        var alert = AlertParser.Parse("""{"rule":{"level":10,"id":"5712"},"agent":{"id":"001"},"data":{"SRCIP":"10.1.2.3","srcip":"203.0.113.9"}}""");
        var actions = new List<ArAction>();

        new ArMatcher(WhiteListed).Match(alert, actions);

        actions.ShouldBeEmpty();
    }

    // Random documents with duplicate and case-variant data/srcip members (and decoys whose names fold only outside
    // ASCII): the srcip the matcher checks is always the address the program is told to act on.
    [Fact]
    public void Matched_srcip_is_always_the_target_of_the_built_message()
    {
        var random = new Random(20240611);
        var matcher = new ArMatcher(WhiteListed);
        string[] dataNames = ["data", "DATA", "Data", "dAtA", "dat\\u0061", "data\\u0000x", "dat\\u00e1", "daťa"];
        string[] srcipNames = ["srcip", "SRCIP", "SrcIp", "srcIP", "src\\u0069p", "srcip\\u0000", "\\u017frcip", "srcıp", "srcipx"];
        for (var i = 0; i < 2000; i++)
        {
            var data = new List<string>();
            for (var d = random.Next(1, 4); d > 0; d--)
            {
                var members = new List<string>();
                for (var m = random.Next(0, 5); m > 0; m--)
                {
                    var value = random.Next(8) switch
                    {
                        0 => "null",
                        1 => "42",
                        2 => "{\"srcip\":\"10.9.9.9\"}",
                        var n when n < 5 => $"\"10.0.{random.Next(4)}.{random.Next(256)}\"",
                        _ => $"\"203.0.113.{random.Next(256)}\"",
                    };
                    members.Add($"\"{srcipNames[random.Next(srcipNames.Length)]}\":{value}");
                }

                var body = random.Next(6) == 0 ? "\"not an object\"" : "{" + string.Join(",", members) + "}";
                data.Add($"\"{dataNames[random.Next(dataNames.Length)]}\":{body}");
            }

            var json = "{\"rule\":{\"level\":10,\"id\":\"5712\"},\"agent\":{\"id\":\"001\"}," + string.Join(",", data) + "}";
            var alert = AlertParser.Parse(json);
            var actions = new List<ArAction>();
            matcher.Match(alert, actions);

            var target = TargetIpOf(json);
            alert.SrcIp.ShouldBe(target, json);
            if (actions.Count > 0)
            {
                WhiteListed.WhiteList.Contains(target ?? "").ShouldBeFalse(json);
                ExecdMessage.TryParse(ArMessageBuilder.Build(WhiteListed, actions[0].Response, alert), out var built, out _).ShouldBeTrue();
                built!.TargetIp.ShouldBe(alert.SrcIp, json);
            }
        }
    }

    private static string? TargetIpOf(string alertJson)
    {
        var body = ArMessageBuilder.Build("node", ArMessageBuilder.AnalysisdModule, "firewall-drop0", [], Encoding.UTF8.GetBytes(alertJson));
        ExecdMessage.TryParse(body, out var message, out var error).ShouldBeTrue(error);
        return message!.TargetIp;
    }
}
