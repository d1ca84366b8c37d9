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
}
