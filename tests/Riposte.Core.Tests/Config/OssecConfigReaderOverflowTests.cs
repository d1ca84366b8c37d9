namespace Riposte.Config;

/// <summary>Numbers past the range of a C int: rejected where analysisd rejects them, otherwise read as Wazuh reads them, with a warning.</summary>
public sealed class OssecConfigReaderOverflowTests
{
    private static ConfigLoadResult Read(string inner) =>
        OssecConfigReader.ReadText(Fixtures.Conf(Fixtures.FirewallDropCommand + "\n" + inner), "test.conf");

    private static string Block(string children) =>
        $"<active-response><command>firewall-drop</command><location>local</location>{children}</active-response>";

    [Theory]
    [InlineData("4294967295")]
    [InlineData("2147483648")]
    [InlineData("99999999999999999999999")]
    public void A_level_that_wraps_negative_is_error_1235_at_the_element(string level)
    {
        var result = Read($"<active-response>\n  <command>firewall-drop</command><location>local</location>\n  <level>{level}</level>\n</active-response>");

        var error = result.Diagnostics.ShouldHaveSingleItem();
        error.Severity.ShouldBe(DiagnosticSeverity.Error);
        error.Code.ShouldBe(1235);
        error.Message.ShouldBe($"Invalid value for element 'level': {level}.");
        error.Position.Column.ShouldBe(3);
        result.Config.ShouldBeNull();
    }

    [Fact]
    public void A_level_that_wraps_into_range_is_read_as_wazuh_does_with_a_warning()
    {
        var result = Read(Block("<level>4294967297</level>"));

        result.Config!.ActiveResponses.Single().Level.ShouldBe(1);
        result.Diagnostics.ShouldHaveSingleItem().Message.ShouldBe("level '4294967297' overflows a C int; Wazuh reads it as 1.");
    }

    [Fact]
    public void A_timeout_that_overflows_is_read_as_wazuh_does_with_a_warning()
    {
        var result = OssecConfigReader.ReadText(Fixtures.Conf("""
            <command><name>c</name><executable>c</executable><timeout_allowed>yes</timeout_allowed></command>
            <active-response><command>c</command><location>local</location><level>3</level><timeout>4294967896</timeout></active-response>
            """), "test.conf");

        result.Config!.ActiveResponses.Single().Timeout.ShouldBe(600);
        result.Diagnostics.ShouldHaveSingleItem().Message.ShouldBe("timeout '4294967896' overflows a C int; Wazuh reads it as 600.");
    }

    [Fact]
    public void An_agent_id_that_overflows_is_read_as_wazuh_does_with_a_warning()
    {
        var result = Read("<active-response><command>firewall-drop</command><location>defined-agent</location><agent_id>4294967299</agent_id><level>3</level></active-response>");

        result.Config!.ActiveResponses.Single().AgentId.ShouldBe(3);
        result.Diagnostics.ShouldHaveSingleItem().Message.ShouldBe("agent_id '4294967299' overflows a C int; Wazuh reads it as 3.");
    }

    [Fact]
    public void An_agent_id_that_wraps_to_zero_is_dropped_with_1306()
    {
        var result = Read("<active-response><command>firewall-drop</command><location>defined-agent</location><agent_id>4294967296</agent_id><level>3</level></active-response>");

        result.Diagnostics.Select(d => d.Code).ShouldBe([null, 1306]);
        result.Config!.Blocks.Single().Status.ShouldBe(ResponseStatus.Dropped);
    }

    [Fact]
    public void A_rules_id_that_overflows_is_read_as_wazuh_does_with_a_warning()
    {
        var result = Read(Block("<rules_id>5712, 4294972008</rules_id>"));

        result.Config!.ActiveResponses.Single().RulesIds.ShouldBe([5712, 4712]);
        result.Diagnostics.ShouldHaveSingleItem().Message.ShouldBe("rules_id '5712, 4294972008': 4294972008 overflows a C int; Wazuh reads it as 4712.");
    }

    [Fact]
    public void Repeated_offenders_that_overflow_are_read_as_execd_does_with_a_warning()
    {
        var result = Read(Block("<level>3</level><repeated_offenders>5,4294967306</repeated_offenders>"));

        result.Config!.Execd.RepeatedOffenders.ShouldBe([5, 10]);
        result.Diagnostics.ShouldHaveSingleItem().Message.ShouldBe("repeated_offenders '5,4294967306': 4294967306 overflows a C int; execd reads it as 10.");
    }
}
