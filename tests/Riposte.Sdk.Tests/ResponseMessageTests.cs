using Riposte.Sdk;
using Riposte.Support;

namespace Riposte;

/// <summary>The accessors of Wazuh's helper library (spec §7.0) and cJSON's lookup rules.</summary>
public sealed class ResponseMessageTests
{
    private static ResponseMessage WithData(string data, string extraArgs = "[]") =>
        ResponseMessage.Parse(Messages.Execd("add", "{\"rule\":{\"id\":\"1\"},\"data\":" + data + "}", extraArgs));

    [Fact]
    public void Srcip_comes_from_data_srcip()
    {
        using var message = WithData("""{"srcip":"203.0.113.45"}""");
        message.SourceIp.ShouldBe("203.0.113.45");
        message.SourceIpVersion.ShouldBe(4);
    }

    [Fact]
    public void Windows_eventdata_ipAddress_wins_over_destinationIp_and_srcip()
    {
        using var message = WithData("""{"srcip":"198.51.100.1","win":{"eventdata":{"destinationIp":"198.51.100.2","ipAddress":"203.0.113.99"}}}""");
        message.SourceIp.ShouldBe("203.0.113.99");
    }

    [Fact]
    public void Windows_eventdata_destinationIp_is_second()
    {
        using var message = WithData("""{"srcip":"198.51.100.1","win":{"eventdata":{"ipAddress":7,"destinationIp":"2001:db8::2"}}}""");
        message.SourceIp.ShouldBe("2001:db8::2");
        message.SourceIpVersion.ShouldBe(6);
    }

    [Fact]
    public void An_invalid_eventdata_ip_is_not_replaced_by_data_srcip()
    {
        // Wazuh's quirk: the eventdata string is taken, then fails validation; data.srcip is never looked at.
        using var message = WithData("""{"srcip":"198.51.100.1","win":{"eventdata":{"ipAddress":"-"}}}""");
        message.RawSourceIp.ShouldBe("-");
        message.SourceIp.ShouldBeNull();
    }

    [Fact]
    public void Eventdata_without_ip_strings_falls_back_to_data_srcip()
    {
        using var message = WithData("""{"srcip":"198.51.100.1","win":{"eventdata":{"subjectUserName":"x"}}}""");
        message.SourceIp.ShouldBe("198.51.100.1");
    }

    [Theory]
    [InlineData("""{"srcip":"../../tmp/malicious"}""")]
    [InlineData("""{"srcip":"192.168.1.1; rm -rf /"}""")]
    [InlineData("""{"srcip":""}""")]
    [InlineData("""{"srcip":1234}""")]
    [InlineData("""{"srcport":"22"}""")]
    [InlineData("\"string\"")]
    public void Invalid_or_absent_srcip_is_null(string data)
    {
        using var message = WithData(data);
        message.SourceIp.ShouldBeNull();
        message.SourceIpVersion.ShouldBeNull();
    }

    [Fact]
    public void Member_lookup_ignores_ASCII_case_and_takes_the_first_match()
    {
        using var message = WithData("""{"SRCIP":"192.0.2.1","srcip":"192.0.2.2"}""");
        message.SourceIp.ShouldBe("192.0.2.1");
    }

    [Fact]
    public void String_values_end_at_an_embedded_NUL_as_C_strings_do()
    {
        using var message = WithData("""{"srcip":"192.0.2.1\u0000; rm -rf /"}""");
        message.SourceIp.ShouldBe("192.0.2.1");
    }

    [Theory]
    [InlineData("deploy", "deploy")]
    [InlineData("machine$", "machine$")]
    [InlineData("root", null)]
    [InlineData("../root", null)]
    [InlineData("-x", null)]
    public void Dstuser_is_validated(string user, string? expected)
    {
        using var message = WithData($$"""{"dstuser":"{{user}}"}""");
        message.RawDestinationUser.ShouldBe(user);
        message.DestinationUser.ShouldBe(expected);
    }

    [Fact]
    public void Extra_args_are_the_string_items_joined_with_spaces()
    {
        using var message = WithData("{}", """["-arg1",2,"--arg2",null,"arg3"]""");
        message.ExtraArgs.ShouldBe(["-arg1", "--arg2", "arg3"]);
        message.ExtraArgsText.ShouldBe("-arg1 --arg2 arg3");
    }

    [Fact]
    public void Extra_args_stop_before_the_item_that_does_not_fit_4096_bytes()
    {
        var big = new string('a', 4000);
        using var message = WithData("{}", $$"""["{{big}}","{{new string('b', 94)}}","{{new string('c', 95)}}"]""");
        message.ExtraArgsText!.Length.ShouldBe(4000 + 1 + 94);
    }

    [Fact]
    public void No_extra_args_gives_an_empty_list_and_null_text()
    {
        using var message = ResponseMessage.Parse("""{"version":1,"origin":{},"command":"add","parameters":{}}""");
        message.ExtraArgs.ShouldBeEmpty();
        message.ExtraArgsText.ShouldBeNull();
        message.Alert.ShouldBeNull();
        message.AlertJson.ShouldBeNull();
        message.SourceIp.ShouldBeNull();
    }

    [Fact]
    public void The_alert_is_available_as_raw_JSON()
    {
        using var message = ResponseMessage.Parse(Fixtures.Wire("A4"));
        var a4 = Fixtures.Wire("A4");
        var start = a4.IndexOf("\"alert\":", StringComparison.Ordinal) + "\"alert\":".Length;
        var end = a4.LastIndexOf(",\"program\"", StringComparison.Ordinal);
        message.AlertJson.ShouldBe(a4[start..end]);
        message.GetString("parameters", "alert", "rule", "id").ShouldBe("5712");
        message.Find("parameters", "alert", "rule", "level")!.Value.GetInt32().ShouldBe(10);
        message.Command.ShouldBe("add");
    }

    [Fact]
    public void Parse_refuses_what_Wazuh_refuses()
    {
        Should.Throw<FormatException>(() => ResponseMessage.Parse("""{"version":"1","origin":{},"command":"add","parameters":{}}"""));
        ResponseMessage.TryParse("{}"u8, out var message).ShouldBeFalse();
        message.ShouldBeNull();
    }
}
