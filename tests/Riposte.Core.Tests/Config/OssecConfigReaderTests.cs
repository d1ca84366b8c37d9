using Riposte.Config;

namespace Riposte.Config;

public sealed class OssecConfigReaderTests
{
    private static ConfigLoadResult Read(string inner) => OssecConfigReader.ReadText(Fixtures.Conf(inner), "test.conf");

    private static ConfigDiagnostic SingleError(ConfigLoadResult result) =>
        result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldHaveSingleItem();

    [Fact]
    public void Reads_the_manager_fixture()
    {
        var result = OssecConfigReader.ReadFiles([Fixtures.ManagerConfig]);

        result.HasErrors.ShouldBeFalse(string.Join("\n", result.Diagnostics));
        var config = result.Config!;
        config.Commands.Count.ShouldBe(8);
        config.Blocks.Count.ShouldBe(8);
        config.ActiveResponses.Select(r => r.Name).ShouldBe(
            ["firewall-drop600", "firewall-drop1800", "netsh300", "host-deny60", "slack-notify0", "restart-wazuh0", "route-null0"]);
        config.NodeName.ShouldBe("node01");
        config.Queues.ShouldBe(ArQueues.Local | ArQueues.Remote);
        config.WhiteList.Entries.ShouldBe(["127.0.0.1", "^localhost.localdomain$", "10.0.0.2", "192.168.100.0/24"]);
    }

    [Fact]
    public void Timeout_not_allowed_is_info_1305_and_forces_zero()
    {
        var result = OssecConfigReader.ReadFiles([Fixtures.ManagerConfig]);

        var info = result.Diagnostics.ShouldHaveSingleItem();
        info.Severity.ShouldBe(DiagnosticSeverity.Info);
        info.Code.ShouldBe(1305);
        info.Message.ShouldBe("Timeout not allowed for command: 'restart-wazuh'.");
        info.Position.Line.ShouldBe(119);
        info.Position.Column.ShouldBe(3);
        info.ToString().ShouldEndWith("sample-manager-ossec-ar.xml:119:3: info (1305): Timeout not allowed for command: 'restart-wazuh'.");
        result.Config!.ActiveResponses.Single(r => r.CommandName == "restart-wazuh").Timeout.ShouldBe(0);
    }

    [Fact]
    public void Timeout_allowed_defaults_to_no()
    {
        var result = Read("""
            <command><name>x</name><executable>x</executable></command>
            <active-response><command>x</command><location>local</location><level>3</level><timeout>60</timeout></active-response>
            """);

        result.Config!.ActiveResponses.Single().Name.ShouldBe("x0");
        result.Diagnostics.Single().Code.ShouldBe(1305);
    }

    [Fact]
    public void Unknown_element_in_active_response_is_1230_with_position()
    {
        var result = Read("""
            <active-response>
              <disabled>no</disabled>
              <ca_store>etc/wpk_root.pem</ca_store>
              <ca_verification>yes</ca_verification>
            </active-response>
            """);

        // analysisd stops at the 1230; Riposte goes on, and the block without command and location is a 1281 too.
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        errors.Count.ShouldBe(2);
        errors[0].Code.ShouldBe(1230);
        errors[0].Message.ShouldBe("Invalid element in the configuration: 'ca_verification'.");
        errors[0].ToString().ShouldBe("test.conf:5:3: error (1230): Invalid element in the configuration: 'ca_verification'.");
        errors[1].ToString().ShouldBe("test.conf:2:1: error (1281): Missing options in the active response configuration. ");
        result.Config.ShouldBeNull();
    }

    [Fact]
    public void Agent_fixture_is_a_fatal_error_on_a_manager_quirk_Q25()
    {
        var result = OssecConfigReader.ReadFiles([Fixtures.AgentConfig]);

        SingleError(result).Code.ShouldBe(1230);
    }

    [Theory]
    [InlineData("<command><name>!x</name><executable>x</executable></command>", 1235, "Invalid value for element 'name': !x.")]
    [InlineData("<command><name>x</name><executable>x</executable><timeout_allowed>Yes</timeout_allowed></command>", 1235, "Invalid value for element 'timeout_allowed': Yes.")]
    [InlineData("<command><name>x</name></command>", 1280, "Missing command options. You must specify a 'name' and 'executable'.")]
    [InlineData("<command><name>x</name><executable>x</executable><bogus>1</bogus></command>", 1230, "Invalid element in the configuration: 'bogus'.")]
    [InlineData("<command><name>x</name><executable></executable></command>", 1234, "Invalid NULL content for element: executable.")]
    public void Command_errors(string xml, int code, string message)
    {
        var error = SingleError(Read(xml));

        error.Code.ShouldBe(code);
        error.Message.ShouldBe(message);
        error.Position.Line.ShouldBe(2);
    }

    [Theory]
    [InlineData("<command>firewall-drop</command><level>3</level>", 1281, "Missing options in the active response configuration. ")]
    [InlineData("<command>firewall-drop</command><location>nowhere</location><level>3</level>", 1302, "Invalid active response location: 'nowhere'.")]
    [InlineData("<command>nope</command><location>local</location><level>3</level>", 1303, "Invalid command 'nope' in the active response.")]
    [InlineData("<command>firewall-drop</command><location>defined-agent</location><level>3</level>", 1304, "No agent defined for response.")]
    [InlineData("<command>firewall-drop</command><location>local</location><level>21</level>", 1235, "Invalid value for element 'level': 21.")]
    [InlineData("<command>firewall-drop</command><location>local</location><level>-1</level>", 1235, "Invalid value for element 'level': -1.")]
    [InlineData("<command>firewall-drop</command><location>local</location><level>5a</level>", 1235, "Invalid value for element 'level': 5a.")]
    [InlineData("<command>firewall-drop</command><location>local</location><disabled>maybe</disabled>", 1235, "Invalid value for element 'disabled': maybe.")]
    [InlineData("<command>firewall-drop</command><location>local</location><rules_id/>", 1234, "Invalid NULL content for element: rules_id.")]
    public void Active_response_errors(string inner, int code, string message)
    {
        var error = SingleError(Read(Fixtures.FirewallDropCommand + $"\n<active-response>{inner}</active-response>"));

        error.Code.ShouldBe(code);
        error.Message.ShouldBe(message);
    }

    [Fact]
    public void Command_must_be_defined_before_the_block_that_uses_it()
    {
        var result = Read("<active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>\n" + Fixtures.FirewallDropCommand);

        SingleError(result).Code.ShouldBe(1303);
    }

    [Fact]
    public void Duplicate_command_names_bind_to_the_first()
    {
        var result = Read("""
            <command><name>c</name><executable>first</executable><timeout_allowed>yes</timeout_allowed></command>
            <command><name>c</name><executable>second</executable></command>
            <active-response><command>c</command><location>local</location><level>3</level><timeout>5</timeout></active-response>
            """);

        var ar = result.Config!.ActiveResponses.Single();
        ar.Executable.ShouldBe("first");
        ar.Name.ShouldBe("c5");
    }

    [Fact]
    public void Defined_agent_uses_atoi_of_the_first_id_and_warns_about_the_rest_quirk_Q6()
    {
        var result = Read(Fixtures.FirewallDropCommand + "<active-response><command>firewall-drop</command><location>defined-agent</location><agent_id>001,002</agent_id><level>3</level></active-response>");

        result.Config!.ActiveResponses.Single().AgentId.ShouldBe(1);
        result.Diagnostics.ShouldContain(d => d.Severity == DiagnosticSeverity.Warning && d.Message.Contains("more than one agent"));
    }

    [Theory]
    [InlineData("000")]
    [InlineData("0")]
    [InlineData("abc")]
    public void Defined_agent_zero_is_warning_1306_and_the_block_is_dropped(string agentId)
    {
        var result = Read(Fixtures.FirewallDropCommand + $"<active-response><command>firewall-drop</command><location>defined-agent</location><agent_id>{agentId}</agent_id><level>3</level></active-response>");

        result.HasErrors.ShouldBeFalse();
        var warning = result.Diagnostics.ShouldHaveSingleItem();
        warning.Code.ShouldBe(1306);
        warning.Message.ShouldBe("Invalid agent ID. Use location=server to run AR on the manager.");
        result.Config!.ActiveResponses.ShouldBeEmpty();
        result.Config.Blocks.Single().Status.ShouldBe(ResponseStatus.Dropped);
    }

    [Theory]
    [InlineData("server", ArLocation.Server)]
    [InlineData("AS", ArLocation.Server)]
    [InlineData("analysisd", ArLocation.Server)]
    [InlineData("local", ArLocation.Local)]
    [InlineData("LOCAL", ArLocation.Local)]
    [InlineData("all", ArLocation.All)]
    [InlineData("any", ArLocation.All)]
    [InlineData("local,server", ArLocation.Local | ArLocation.Server)]
    [InlineData("my-local-box", ArLocation.Local)]
    [InlineData("alias", ArLocation.Server)]
    [InlineData("ball", ArLocation.All)]
    public void Location_keywords_are_case_insensitive_substrings_quirk_Q5(string text, ArLocation expected)
    {
        var result = Read(Fixtures.FirewallDropCommand + $"<active-response><command>firewall-drop</command><location>{text}</location><level>3</level></active-response>");

        result.Config!.ActiveResponses.Single().Location.ShouldBe(expected);
    }

    [Theory]
    [InlineData("5710,5712", new[] { 5710, 5712 })]
    [InlineData(" 5710 , 5712 ", new[] { 5710, 5712 })]
    [InlineData("5710,,5712,", new[] { 5710, 5712 })]
    [InlineData("5710;5712", new[] { 5710 })]
    [InlineData("5710 5712", new[] { 5710 })]
    [InlineData("abc,5712", new int[0])]
    [InlineData("5710,x,5712", new[] { 5710 })]
    public void Rules_id_parsing_stops_at_the_first_bad_character_quirk_Q4(string text, int[] expected)
    {
        var result = Read(Fixtures.FirewallDropCommand + $"<active-response><command>firewall-drop</command><location>local</location><rules_id>{text}</rules_id></active-response>");

        result.Config!.ActiveResponses.Single().RulesIds.ShouldBe(expected);
    }

    [Fact]
    public void Rules_id_with_ignored_text_is_warned()
    {
        var result = Read(Fixtures.FirewallDropCommand + "<active-response><command>firewall-drop</command><location>local</location><rules_id>5710;5712</rules_id></active-response>");

        result.Diagnostics.ShouldContain(d => d.Severity == DiagnosticSeverity.Warning && d.Message.Contains("only 5710 are used"));
    }

    [Theory]
    [InlineData("600", 600, "firewall-drop600")]
    [InlineData("-5", -5, "firewall-drop-5")]
    [InlineData("abc", 0, "firewall-drop0")]
    [InlineData("12abc", 12, "firewall-drop12")]
    [InlineData(" 30", 30, "firewall-drop30")]
    public void Timeout_is_atoi_without_validation_quirk_Q7(string text, int timeout, string name)
    {
        var result = Read(Fixtures.FirewallDropCommand + $"<active-response><command>firewall-drop</command><location>local</location><level>3</level><timeout>{text}</timeout></active-response>");

        var ar = result.Config!.ActiveResponses.Single();
        ar.Timeout.ShouldBe(timeout);
        ar.Name.ShouldBe(name);
    }

    [Fact]
    public void Disabled_block_resets_queue_flags_quirk_Q1()
    {
        var result = Read(Fixtures.FirewallDropCommand + """
            <active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>
            <active-response><disabled>yes</disabled><command>firewall-drop</command><location>local</location><level>15</level></active-response>
            """);

        var config = result.Config!;
        config.Queues.ShouldBe(ArQueues.None);
        config.ActiveResponses.Count.ShouldBe(1);
        result.Diagnostics.ShouldContain(d => d.Severity == DiagnosticSeverity.Warning && d.Message.Contains("quirk Q1"));
    }

    [Fact]
    public void Block_after_the_disabled_one_restores_the_flags()
    {
        var result = OssecConfigReader.ReadFiles([Fixtures.ManagerConfig]);

        result.Config!.Blocks[6].Status.ShouldBe(ResponseStatus.Disabled);
        result.Config.Queues.ShouldBe(ArQueues.Local | ArQueues.Remote);
    }

    [Fact]
    public void Server_only_config_enables_only_the_local_queue()
    {
        var result = Read(Fixtures.FirewallDropCommand + "<active-response><command>firewall-drop</command><location>server</location><level>3</level></active-response>");

        result.Config!.Queues.ShouldBe(ArQueues.Local);
    }

    [Fact]
    public void Block_with_only_repeated_offenders_is_ignored_by_analysisd()
    {
        var result = Read("<active-response><repeated_offenders>1,5,10</repeated_offenders></active-response>");

        result.HasErrors.ShouldBeFalse();
        result.Config!.Blocks.ShouldBeEmpty();
        result.Config.Execd.RepeatedOffenders.ShouldBe([1, 5, 10]);
    }

    [Theory]
    [InlineData("1,5,10", new[] { 1, 5, 10 })]
    [InlineData(" 1, 5 ,\t10", new[] { 1, 5, 10 })]
    [InlineData("1,0,10", new[] { 1 })]
    [InlineData("0,5", new int[0])]
    [InlineData("1,2,3,4,5,6", new[] { 1, 2, 3, 4, 5 })]
    [InlineData("1,2,3,4,9,6", new[] { 1, 2, 3, 4, 9 })]
    [InlineData("1,,2", new[] { 1, 2 })]
    [InlineData("-1,2", new[] { -1, 2 })]
    public void Repeated_offenders_parsing_follows_execd(string text, int[] expected)
    {
        ExecdOptionsBuilder.Parse(text, out _).ShouldBe(expected);
    }

    [Fact]
    public void No_criteria_block_is_accepted_and_warned()
    {
        var result = Read(Fixtures.FirewallDropCommand + "<active-response><command>firewall-drop</command><location>local</location></active-response>");

        result.Config!.ActiveResponses.Single().HasNoCriteria.ShouldBeTrue();
        result.Diagnostics.ShouldContain(d => d.Message.Contains("never fires"));
    }

    [Fact]
    public void Invalid_white_list_ip_is_1237()
    {
        var error = SingleError(Read("<global><white_list>999.1.1.1</white_list></global>"));

        error.Code.ShouldBe(1237);
        error.Message.ShouldBe("Invalid ip address: '999.1.1.1'.");
    }

    [Fact]
    public void Several_roots_and_files_are_read_in_order()
    {
        var dir = Directory.CreateTempSubdirectory("riposte-test-");
        try
        {
            var first = System.IO.Path.Combine(dir.FullName, "a.conf");
            var second = System.IO.Path.Combine(dir.FullName, "b.conf");
            File.WriteAllText(first, Fixtures.Conf(Fixtures.FirewallDropCommand) + Fixtures.Conf("<cluster><node_name>n2</node_name></cluster>"));
            File.WriteAllText(second, Fixtures.Conf("<active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>"));

            var result = OssecConfigReader.ReadFiles([first, second]);

            result.Config!.ActiveResponses.Single().Command!.Position.File.ShouldBe(first);
            result.Config.NodeName.ShouldBe("n2");
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Malformed_xml_is_reported_with_position()
    {
        var result = OssecConfigReader.ReadText("<ossec_config>\n  <command>\n    <name>x</nam>\n</ossec_config>\n", "bad.conf");

        var error = SingleError(result);
        error.Code.ShouldBe(1226);
        error.Position.File.ShouldBe("bad.conf");
        error.Position.Line.ShouldBe(3);
    }

    [Fact]
    public void Missing_file_is_an_error()
    {
        var result = OssecConfigReader.ReadFiles(["/nonexistent/ossec.conf"]);

        SingleError(result).Position.File.ShouldBe("/nonexistent/ossec.conf");
    }

    [Fact]
    public void Extra_args_are_split_on_spaces_without_shell_escaping()
    {
        var command = new CommandDefinition("c", "c", false, "-arg1 --arg2 arg3 ; cat /etc/passwd", default);

        command.ExtraArgsList.ShouldBe(["-arg1", "--arg2", "arg3", ";", "cat", "/etc/passwd"]);
    }

    [Fact]
    public void Extra_args_double_spaces_drop_empty_tokens()
    {
        new CommandDefinition("c", "c", false, "  a   b ", default).ExtraArgsList.ShouldBe(["a", "b"]);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("20", 20)]
    [InlineData("007", 7)]
    public void Level_accepts_0_to_20_docs_say_1_to_16(string text, int level)
    {
        var result = Read(Fixtures.FirewallDropCommand + $"<active-response><command>firewall-drop</command><location>local</location><rules_id>1</rules_id><level>{text}</level></active-response>");

        result.Config!.ActiveResponses.Single().Level.ShouldBe(level);
    }

    [Fact]
    public void More_than_64_ar_conf_entries_is_warning_1307()
    {
        var blocks = string.Concat(Enumerable.Range(0, 59).Select(i => $"<active-response><command>firewall-drop</command><location>local</location><rules_id>{i + 1}</rules_id><timeout>{i}</timeout></active-response>\n"));

        var result = Read(Fixtures.FirewallDropCommand + blocks);

        var warning = result.Diagnostics.ShouldHaveSingleItem();
        warning.Code.ShouldBe(1307);
        warning.Message.ShouldBe("Defined 65 active response commands, more than the maximum of 64. The exceeding entries of 'etc/shared/ar.conf' may not be loaded by the agents.");
    }

    [Fact]
    public void Execd_takes_the_first_disabled_element_found_docs_discrepancy_7()
    {
        var result = Read(Fixtures.FirewallDropCommand + """
            <active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>
            <active-response><disabled>yes</disabled><command>firewall-drop</command><location>local</location><level>3</level></active-response>
            <active-response><disabled>no</disabled><command>firewall-drop</command><location>server</location><level>3</level></active-response>
            """);

        result.Config!.Execd.Disabled.ShouldBeTrue();
        result.Config.ActiveResponses.Count.ShouldBe(2);
    }

    [Fact]
    public void Execd_takes_repeated_offenders_from_the_first_block_that_has_it()
    {
        var result = Read(Fixtures.FirewallDropCommand + """
            <active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>
            <active-response><repeated_offenders>2,4</repeated_offenders></active-response>
            <active-response><repeated_offenders>9</repeated_offenders></active-response>
            """);

        result.Config!.Execd.RepeatedOffenders.ShouldBe([2, 4]);
    }
}
