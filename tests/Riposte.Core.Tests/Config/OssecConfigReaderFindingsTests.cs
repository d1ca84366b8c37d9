namespace Riposte.Config;

/// <summary>
/// Issue 10: every error of a block, files that hold no configuration, and XML errors at the tag that is not closed.
/// </summary>
public sealed class OssecConfigReaderFindingsTests
{
    private const string Command = "<command><name>x</name><executable>x</executable></command>\n";

    private static string[] Lines(ConfigLoadResult result) => [.. result.Diagnostics.Select(d => d.ToString())];

    [Fact]
    public void Every_error_of_a_response_block_is_reported_with_its_position()
    {
        var text = """
            <ossec_config>
              <command><name>x</name><executable>x</executable></command>
              <active-response>
                <command>x</command>
                <level>25</level>
                <locaton>local</locaton>
              </active-response>
            </ossec_config>
            """;

        var result = OssecConfigReader.ReadText(text, "two.conf");

        Lines(result).ShouldBe([
            "two.conf:5:5: error (1235): Invalid value for element 'level': 25.",
            "two.conf:6:5: error (1230): Invalid element in the configuration: 'locaton'.",
            "two.conf:3:3: error (1281): Missing options in the active response configuration. ",
        ]);
        result.Config.ShouldBeNull();
    }

    [Fact]
    public void Every_error_of_a_command_block_is_reported()
    {
        var text = "<ossec_config>\n<command>\n<name>x</name>\n<timeout_allowed>maybe</timeout_allowed>\n<executabel>x</executabel>\n</command>\n</ossec_config>\n";

        var result = OssecConfigReader.ReadText(text, "cmd.conf");

        Lines(result).ShouldBe([
            "cmd.conf:4:1: error (1235): Invalid value for element 'timeout_allowed': maybe.",
            "cmd.conf:5:1: error (1230): Invalid element in the configuration: 'executabel'.",
            "cmd.conf:2:1: error (1280): Missing command options. You must specify a 'name' and 'executable'.",
        ]);
    }

    [Fact]
    public void Errors_of_every_block_are_reported_and_a_refused_command_is_not_also_unknown()
    {
        var text = "<ossec_config>\n<command><name>x</name><executable>x</executable><bad>1</bad></command>\n" +
                   "<active-response><command>x</command><location>local</location><level>3</level></active-response>\n" +
                   "<active-response><command>nope</command><location>nowhere</location><level>3</level></active-response>\n</ossec_config>\n";

        var result = OssecConfigReader.ReadText(text, "blocks.conf");

        // 'x' is refused for its <bad>: the first response is not reported as naming an unknown command.
        Lines(result).ShouldBe([
            "blocks.conf:2:50: error (1230): Invalid element in the configuration: 'bad'.",
            "blocks.conf:4:1: error (1302): Invalid active response location: 'nowhere'.",
            "blocks.conf:4:1: error (1303): Invalid command 'nope' in the active response.",
        ]);
    }

    [Fact]
    public void A_name_that_an_accepted_command_replaced_is_still_unknown()
    {
        // The last <name> wins, as in analysisd: 'a' is not a command, and naming it stays an error.
        var result = OssecConfigReader.ReadText("<ossec_config>\n<command><name>a</name><name>b</name><executable>x</executable></command>\n" +
            "<active-response><command>a</command><location>local</location><level>3</level></active-response>\n</ossec_config>", "n.conf");

        Lines(result).ShouldBe(["n.conf:3:1: error (1303): Invalid command 'a' in the active response."]);
    }

    [Fact]
    public void A_present_but_empty_element_is_not_also_missing()
    {
        var result = OssecConfigReader.ReadText("<ossec_config>\n" + Command + "<active-response><command>x</command><location></location></active-response>\n</ossec_config>", "e.conf");

        Lines(result).ShouldBe(["e.conf:3:38: error (1234): Invalid NULL content for element: location."]);
    }

    [Fact]
    public void Reporting_more_errors_keeps_the_verdict_of_silently_ignored_and_dropped_blocks()
    {
        // execd-only blocks and dropped defined-agent blocks stay accepted, as analysisd accepts them.
        var text = "<ossec_config>\n" + Command +
                   "<active-response><repeated_offenders>1,5</repeated_offenders></active-response>\n" +
                   "<active-response><command>unknown</command><location>defined-agent</location><agent_id>0</agent_id><level>3</level></active-response>\n" +
                   "<active-response><command>x</command><location>local</location><level>3</level></active-response>\n</ossec_config>";

        var result = OssecConfigReader.ReadText(text, "ok.conf");

        result.HasErrors.ShouldBeFalse(string.Join("\n", Lines(result)));
        result.Config!.ActiveResponses.ShouldHaveSingleItem().Name.ShouldBe("x0");
    }

    [Fact]
    public void An_empty_file_is_a_warning()
    {
        var result = OssecConfigReader.ReadText("", "empty.conf");

        Lines(result).ShouldBe(["empty.conf:1:1: warning: 'empty.conf' is empty: it has no <ossec_config> root, so Wazuh reads no configuration from it."]);
        result.Config.ShouldNotBeNull();
    }

    [Fact]
    public void A_file_of_plain_text_is_a_warning_that_says_it_is_not_xml()
    {
        var result = OssecConfigReader.ReadText("\nhello", "hello.conf");

        Lines(result).ShouldBe([
            "hello.conf:2:1: warning: 'hello.conf' is not XML: it holds text but no element, so there is no <ossec_config> root and Wazuh reads no configuration from it.",
        ]);
        result.HasErrors.ShouldBeFalse();
    }

    [Fact]
    public void A_binary_file_is_an_xml_error_that_says_it_is_not_xml()
    {
        var result = OssecConfigReader.ReadText("\u0001\u0002ELF", "bin.conf");

        var error = result.Diagnostics.ShouldHaveSingleItem();
        error.Code.ShouldBe(1226);
        error.Message.ShouldEndWith(" The file does not look like XML: an ossec.conf is made of <ossec_config> elements.");
    }

    [Fact]
    public void Another_root_is_error_1230_on_a_manager_as_analysisd_refuses_it()
    {
        OssecConfigReader.ReadText("<config>\n" + Command + "</config>\n", "root.conf").Diagnostics.Select(d => d.ToString())
            .ShouldBe(["root.conf:1:1: error (1230): Invalid element in the configuration: 'config'."]);
    }

    [Fact]
    public void Another_root_is_only_a_warning_on_an_agent_whose_execd_ignores_it()
    {
        var result = OssecConfigReader.ReadText("<config/>\n", "root.conf", ConfigRole.Agent);

        Lines(result).ShouldBe(["root.conf:1:1: warning: Root element 'config' is not 'ossec_config'; ignored."]);
    }

    [Fact]
    public void A_configuration_without_commands_and_responses_is_a_warning_on_a_manager()
    {
        var result = OssecConfigReader.ReadText("<ossec_config>\n  <global><white_list>10.0.0.1</white_list></global>\n</ossec_config>\n", "none.conf");

        Lines(result).ShouldBe(["none.conf:1:1: warning: The configuration has no <command> and no <active-response>: no active response can run."]);
        result.Config.ShouldNotBeNull();
        OssecConfigReader.ReadText("<ossec_config/>", "agent.conf", ConfigRole.Agent).Diagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void An_unclosed_tag_is_reported_where_it_opens()
    {
        var result = OssecConfigReader.ReadText("<ossec_config>\n  <command>\n    <name>x</name>\n", "unclosed.conf");

        Lines(result).ShouldBe([
            "unclosed.conf:2:3: error (1226): Error reading XML file 'unclosed.conf': The 'command' start tag on line 2 position 3 is not closed before the end of the file.",
        ]);
    }

    [Fact]
    public void A_tag_closed_by_another_end_tag_is_reported_where_it_opens()
    {
        var result = OssecConfigReader.ReadText("<ossec_config><command>\n<name>x</name>\n</ossec_config>\n", "mismatch.conf");

        // On line 1 the positions are the file's, not those of the text Riposte wraps around it.
        Lines(result).ShouldBe([
            "mismatch.conf:1:15: error (1226): Error reading XML file 'mismatch.conf': The 'command' start tag on line 1 position 15 does not match the end tag of 'ossec_config' (line 3 position 1).",
        ]);
    }

    [Fact]
    public void Other_xml_errors_keep_their_position()
    {
        var error = OssecConfigReader.ReadText("<ossec_config>\n  <global a=1/>\n</ossec_config>\n", "attr.conf").Diagnostics.ShouldHaveSingleItem();

        error.Code.ShouldBe(1226);
        error.Position.Line.ShouldBe(2);
        error.Message.ShouldNotContain("riposte-wrapper");
    }
}
