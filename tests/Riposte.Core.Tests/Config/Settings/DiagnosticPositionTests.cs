namespace Riposte.Config.Settings;

using static SettingsTestHelpers;

public sealed class DiagnosticPositionTests
{
    private const DiagnosticSeverity Error = DiagnosticSeverity.Error;
    private const DiagnosticSeverity Warning = DiagnosticSeverity.Warning;

    [Fact]
    public void Unknown_top_level_key_is_reported_at_the_key_with_a_suggestion() =>
        Single("""
            {
              "hme": "/var/ossec"
            }
            """).ShouldBeAt(Error, 2, 3, "unknown key \"hme\" at the top level; did you mean \"home\"?");

    [Fact]
    public void Unknown_nested_key_is_reported_at_the_key()
    {
        Single("""
            {
              "execution": {
                "max_paralel": 4
              }
            }
            """).ShouldBeAt(Error, 3, 5, "unknown key \"max_paralel\" in execution; did you mean \"max_parallel\"?");
    }

    [Fact]
    public void Camel_case_key_suggests_the_snake_case_one() =>
        Single("""{ "execution": { "maxParallel": 4 } }""")
            .ShouldBeAt(Error, 1, 18, "did you mean \"max_parallel\"?");

    [Fact]
    public void Unknown_key_far_from_any_lists_the_known_ones() =>
        Single("""{ "api": { "port": 1 } }""")
            .ShouldBeAt(Error, 1, 12, "unknown key \"port\" in api; expected one of listen, token_file");

    [Fact]
    public void Unknown_key_in_a_notification_and_a_response_policy()
    {
        var diagnostics = Diagnostics("""
            {
              "notifications": [
                { "name": "ops", "url": "https://h.example/", "evnts": ["add"] }
              ],
              "responses": { "firewall-drop": { "dryrun": true } }
            }
            """);
        diagnostics.Count.ShouldBe(2);
        diagnostics[0].ShouldBeAt(Error, 3, 51, "unknown key \"evnts\" in notifications[0]; did you mean \"events\"?");
        diagnostics[1].ShouldBeAt(Error, 5, 37, "unknown key \"dryrun\" in responses.firewall-drop; did you mean \"dry_run\"?");
    }

    [Theory]
    [InlineData("\"8\"", "execution.max_parallel must be a whole number, not a string")]
    [InlineData("true", "execution.max_parallel must be a whole number, not a boolean")]
    [InlineData("null", "execution.max_parallel must be a whole number, not null")]
    [InlineData("2.5", "execution.max_parallel must be a whole number, not 2.5")]
    [InlineData("0", "execution.max_parallel must be between 1 and 1024, not 0")]
    [InlineData("1025", "execution.max_parallel must be between 1 and 1024, not 1025")]
    [InlineData("99999999999", "execution.max_parallel must be between 1 and 1024, not 99999999999")]
    public void Max_parallel_errors_point_at_the_value(string value, string message) =>
        Single($$"""
            {
              "execution": {
                "max_parallel": {{value}}
              }
            }
            """).ShouldBeAt(Error, 3, 21, message);

    [Theory]
    [InlineData("1")]
    [InlineData("1024")]
    public void Max_parallel_bounds_are_inclusive(string value) =>
        Load($$"""{ "execution": { "max_parallel": {{value}} } }""").Execution.MaxParallel.ShouldBe(int.Parse(value));

    [Fact]
    public void Wrong_type_for_a_section() =>
        Single("""
            {
              "safety": ["10.0.0.0/8"]
            }
            """).ShouldBeAt(Error, 2, 13, "safety must be an object, not an array");

    [Fact]
    public void Wrong_type_for_the_root() =>
        Single("""  ["home"]""").ShouldBeAt(Error, 1, 3, "the top level must be an object, not an array");

    [Fact]
    public void Wrong_types_for_booleans_strings_and_lists()
    {
        var diagnostics = Diagnostics("""
            {
              "home": 42,
              "execution": { "revert_on_shutdown": "yes" },
              "wazuh": { "ossec_conf": "etc/ossec.conf" },
              "state": { "path": "" }
            }
            """);
        diagnostics.Count.ShouldBe(4);
        diagnostics[0].ShouldBeAt(Error, 2, 11, "home must be a string, not a number");
        diagnostics[1].ShouldBeAt(Error, 3, 40, "execution.revert_on_shutdown must be true or false, not a string");
        diagnostics[2].ShouldBeAt(Error, 4, 28, "wazuh.ossec_conf must be an array of file paths, not a string");
        diagnostics[3].ShouldBeAt(Error, 5, 22, "state.path must not be empty");
    }

    [Fact]
    public void Empty_ossec_conf_list_is_an_error() =>
        Single("""{ "wazuh": { "ossec_conf": [] } }""").ShouldBeAt(Error, 1, 28, "must name at least one file");

    [Fact]
    public void Negative_max_new_per_minute()
    {
        var diagnostics = Diagnostics("""
            {
              "defaults": { "max_new_per_minute": -1 },
              "responses": {
                "firewall-drop600": { "max_new_per_minute": -5 }
              }
            }
            """);
        diagnostics.Count.ShouldBe(2);
        diagnostics[0].ShouldBeAt(Error, 2, 39, "defaults.max_new_per_minute must not be negative (0 means unlimited), not -1");
        diagnostics[1].ShouldBeAt(Error, 4, 49, "responses.firewall-drop600.max_new_per_minute must not be negative");
    }

    [Fact]
    public void Repeated_offenders_mode_not_in_set() =>
        Single("""
            {
              "repeated_offenders": { "mode": "Decay" }
            }
            """).ShouldBeAt(Error, 2, 35, "repeated_offenders.mode must be one of \"wazuh\", \"decay\", not \"Decay\"; did you mean \"decay\"?");

    [Fact]
    public void Fleet_role_not_in_set() =>
        Single("""
            {
              "fleet": {
                "role": "server"
              }
            }
            """).ShouldBeAt(Error, 3, 13, "fleet.role must be one of \"standalone\", \"manager\", \"agent\", not \"server\"");

    [Fact]
    public void Agent_role_needs_nats_url_and_agent_id_reported_at_the_role()
    {
        var diagnostics = Diagnostics("""
            {
              "fleet": {
                "role": "agent"
              }
            }
            """);
        diagnostics.Count.ShouldBe(2);
        diagnostics[0].ShouldBeAt(Error, 3, 13, "fleet.role \"agent\" needs fleet.nats_url");
        diagnostics[1].ShouldBeAt(Error, 3, 13, "fleet.role \"agent\" needs fleet.agent_id");
    }

    [Fact]
    public void Manager_role_needs_nats_url_but_not_agent_id() =>
        Single("""{ "fleet": { "role": "manager" } }""").ShouldBeAt(Error, 1, 22, "fleet.role \"manager\" needs fleet.nats_url");

    [Fact]
    public void Null_nats_url_counts_as_missing() =>
        Single("""{ "fleet": { "role": "manager", "nats_url": null } }""").ShouldBeAt(Error, 1, 22, "needs fleet.nats_url");

    [Fact]
    public void Remote_nats_url_needs_credentials()
    {
        Single("""
            {
              "fleet": {
                "role": "manager",
                "nats_url": "nats://nats.example.com:4222"
              }
            }
            """).ShouldBeAt(Error, 4, 17, "fleet.nats_url points at nats.example.com, not this host, so fleet.credentials_file is required");
    }

    [Theory]
    [InlineData("nats://127.0.0.1:4222")]
    [InlineData("nats://localhost:4222")]
    [InlineData("nats://[::1]:4222")]
    public void Loopback_nats_url_needs_no_credentials(string url)
    {
        var s = Load($$"""{ "fleet": { "role": "agent", "nats_url": "{{url}}", "agent_id": "001" } }""");
        s.Fleet.Role.ShouldBe(FleetRole.Agent);
        s.Fleet.NatsUrl.ShouldBe(new Uri(url));
        s.Fleet.AgentId.ShouldBe("001");
        s.Fleet.CredentialsFile.ShouldBeNull();
    }

    [Theory]
    [InlineData("000")]
    [InlineData("01")]
    [InlineData("1a3")]
    [InlineData("")]
    public void Bad_agent_id(string id) =>
        Diagnostics($$"""{ "fleet": { "role": "agent", "nats_url": "nats://127.0.0.1:4222", "agent_id": "{{id}}" } }""")
            .ShouldHaveSingleItem().ShouldBeAt(Error, 1, 80, "fleet.agent_id");

    [Theory]
    [InlineData("http://nats.example.com:4222")]
    [InlineData("nats.example.com:4222")]
    [InlineData("/tmp/nats.sock")]
    public void Bad_nats_url(string url) =>
        Single($$"""{ "fleet": { "role": "manager", "nats_url": "{{url}}", "credentials_file": "/c" } }""")
            .ShouldBeAt(Error, 1, 45, "is not a NATS URL");

    [Fact]
    public void Standalone_ignores_fleet_settings_with_warnings_at_the_keys()
    {
        var (settings, diagnostics) = RiposteSettingsReader.ReadText("""
            {
              "fleet": {
                "nats_url": "nats://127.0.0.1:4222",
                "agent_id": "001",
                "role": "standalone"
              }
            }
            """);
        settings.ShouldNotBeNull();
        diagnostics.Count.ShouldBe(2);
        diagnostics[0].ShouldBeAt(Warning, 3, 5, "fleet.nats_url has no effect while fleet.role is \"standalone\"");
        diagnostics[1].ShouldBeAt(Warning, 4, 5, "fleet.agent_id has no effect");
    }

    [Fact]
    public void Api_listen_without_token_file() =>
        Single("""
            {
              "api": {
                "listen": "0.0.0.0:9595"
              }
            }
            """).ShouldBeAt(Error, 3, 15, "api.listen is set but api.token_file is not; every network surface needs authentication");

    [Fact]
    public void Api_token_file_with_only_metrics_listen_guards_the_metrics_and_is_not_warned_about() =>
        RiposteSettingsReader.ReadText("""{ "api": { "token_file": "/etc/riposte/api.token" }, "metrics": { "listen": "127.0.0.1:9596" } }""").Diagnostics
            .ShouldBeEmpty();

    [Fact]
    public void A_metrics_listener_beyond_loopback_needs_the_token_file() =>
        Single("""{ "metrics": { "listen": "0.0.0.0:9596" } }""").ShouldBeAt(Error, 1, 26, "is not a loopback address but api.token_file is not set");

    [Fact]
    public void A_metrics_listener_beyond_loopback_with_the_token_file_is_accepted() =>
        RiposteSettingsReader.ReadText("""{ "api": { "token_file": "/t" }, "metrics": { "listen": "0.0.0.0:9596" } }""").Diagnostics.ShouldBeEmpty();

    [Fact]
    public void Api_token_file_without_listen_is_a_warning() =>
        Single("""{ "api": { "token_file": "/etc/riposte/api.token" } }""").ShouldBeAt(Warning, 1, 12, "has no effect without api.listen");

    [Theory]
    [InlineData("9595", "has no port")]
    [InlineData("::1:9595", "needs brackets")]
    [InlineData(":9595", "has no host")]
    [InlineData("127.0.0.1:0", "is not a port")]
    [InlineData("127.0.0.1:65536", "is not a port")]
    [InlineData("127.0.0.1:http", "is not a port")]
    [InlineData("300.1.1.1:80", "is not an IP address")]
    [InlineData("bad host:80", "is not a host name or IP address")]
    [InlineData("[10.0.0.1]:80", "is not an IPv6 address")]
    public void Bad_listen_address(string listen, string message) =>
        Single($$"""{ "metrics": { "listen": "{{listen}}" } }""").ShouldBeAt(Error, 1, 26, message);

    [Fact]
    public void Api_and_metrics_on_the_same_port_collide()
    {
        Single("""
            {
              "api": { "listen": "0.0.0.0:9595", "token_file": "/t" },
              "metrics": { "listen": "127.0.0.1:9595" }
            }
            """).ShouldBeAt(Error, 3, 26, "metrics.listen 127.0.0.1:9595 collides with api.listen 0.0.0.0:9595");
    }

    [Fact]
    public void Notify_names_must_exist_even_when_defined_later()
    {
        var diagnostics = Diagnostics("""
            {
              "defaults": { "notify": ["ops", "opz"] },
              "responses": { "host-deny": { "notify": ["pager"] } },
              "notifications": [ { "name": "ops", "url": "https://h.example/" } ]
            }
            """);
        diagnostics.Count.ShouldBe(2);
        diagnostics[0].ShouldBeAt(Error, 2, 35, "defaults.notify[1]: no notification is named \"opz\"; did you mean \"ops\"?");
        diagnostics[1].ShouldBeAt(Error, 3, 44, "responses.host-deny.notify[0]: no notification is named \"pager\" (known: ops)");
    }

    [Fact]
    public void Notify_without_notifications() =>
        Single("""{ "defaults": { "notify": ["ops"] } }""").ShouldBeAt(Error, 1, 28, "(there are no notifications)");

    [Fact]
    public void Duplicate_notification_names()
    {
        Single("""
            {
              "notifications": [
                { "name": "ops", "url": "https://a.example/" },
                { "name": "ops", "url": "https://b.example/" }
              ]
            }
            """).ShouldBeAt(Error, 4, 15, "notifications[1].name: the name \"ops\" is already used by notifications[0]");
    }

    [Theory]
    [InlineData("ftp://files.example/hook")]
    [InlineData("hooks.example/x")]
    [InlineData("/relative/path")]
    [InlineData("https://")]
    public void Bad_notification_url(string url) =>
        Single($$"""
            {
              "notifications": [
                { "name": "ops",
                  "url": "{{url}}" }
              ]
            }
            """).ShouldBeAt(Error, 4, 14, $"notifications[0].url: \"{url}\" is not an absolute http or https URL");

    [Fact]
    public void Missing_name_and_url_are_reported_at_the_entry()
    {
        var diagnostics = Diagnostics("""
            {
              "notifications": [
                {}
              ]
            }
            """);
        diagnostics.Count.ShouldBe(2);
        diagnostics[0].ShouldBeAt(Error, 3, 5, "notifications[0] has no \"name\"");
        diagnostics[1].ShouldBeAt(Error, 3, 5, "notifications[0] has no \"url\"");
    }

    [Fact]
    public void Bad_events()
    {
        var diagnostics = Diagnostics("""
            {
              "notifications": [
                { "name": "a", "url": "https://h.example/", "events": ["add", "blocked", "Delete"] },
                { "name": "b", "url": "https://h.example/", "events": [] },
                { "name": "c", "url": "https://h.example/", "events": "add" }
              ]
            }
            """);
        diagnostics.Count.ShouldBe(4);
        diagnostics[0].ShouldBeAt(Error, 3, 67, "notifications[0].events[1] must be one of \"add\", \"delete\", \"abort\", \"failure\", \"timeout\", \"kill\", \"continue\"");
        diagnostics[1].ShouldBeAt(Error, 3, 78, "did you mean \"delete\"?");
        diagnostics[2].ShouldBeAt(Error, 4, 59, "notifications[1].events must list at least one of add, delete, abort, failure, timeout, kill");
        diagnostics[3].ShouldBeAt(Error, 5, 59, "notifications[2].events must be an array of event names");
    }

    [Fact]
    public void Repeated_event_is_a_warning() =>
        Single("""{ "notifications": [ { "name": "a", "url": "https://h.example/", "events": ["add", "add"] } ] }""")
            .ShouldBeAt(Warning, 1, 84, "\"add\" is listed twice");

    [Fact]
    public void Teams_format_defaults_to_the_adaptive_card_and_reads_the_legacy_card()
    {
        var targets = Load("""
            { "notifications": [
              { "name": "new", "type": "teams", "url": "https://h.example/a" },
              { "name": "old", "type": "teams", "url": "https://h.example/b", "format": "message-card" },
              { "name": "set", "type": "teams", "url": "https://h.example/c", "format": "adaptive-card" } ] }
            """).Notifications;
        targets.Select(t => t.Format).ShouldBe([TeamsFormat.AdaptiveCard, TeamsFormat.MessageCard, TeamsFormat.AdaptiveCard]);
    }

    [Fact]
    public void Bad_teams_format_is_reported_at_its_value()
    {
        var diagnostics = Diagnostics("""
            {
              "notifications": [
                { "name": "t", "type": "teams", "url": "https://h.example/",
                  "format": "messagecard" }
              ]
            }
            """);
        diagnostics.ShouldHaveSingleItem().ShouldBeAt(Error, 4, 17,
            "notifications[0].format must be one of \"adaptive-card\", \"message-card\", not \"messagecard\"; did you mean \"message-card\"?");
        diagnostics[0].ToString().ShouldStartWith("riposte.json:4:17: error: ");
    }

    [Theory]
    [InlineData("\"url\": \"https://h.example/\"", "webhook")]
    [InlineData("\"type\": \"slack\", \"url\": \"https://h.example/\"", "slack")]
    [InlineData("\"type\": \"syslog\", \"syslog\": { \"address\": \"/dev/log\" }", "syslog")]
    public void Teams_format_on_another_type_is_an_error(string keys, string type)
    {
        var (settings, diagnostics) = RiposteSettingsReader.ReadText($$"""
            {
              "notifications": [
                { "name": "n", {{keys}},
                  "format": "adaptive-card" }
              ]
            }
            """);
        settings.ShouldBeNull();
        diagnostics.ShouldHaveSingleItem().ShouldBeAt(Error, 4, 17, $"notifications[0].format is only for type \"teams\", not \"{type}\"");
    }

    [Fact]
    public void Notification_defaults_and_headers()
    {
        var target = Load("""
            { "notifications": [ { "name": "a", "url": "http://10.1.2.3:8080/hook", "headers": { "X-Token": "t" } } ] }
            """).Notifications.ShouldHaveSingleItem();
        target.Url.ShouldBe(new Uri("http://10.1.2.3:8080/hook"));
        target.Events.ShouldBe(NotificationEvents.All);
        target.MinInterval.ShouldBe(TimeSpan.Zero);
        target.Headers["x-token"].ShouldBe("t");
    }

    [Fact]
    public void Bad_headers()
    {
        var diagnostics = Diagnostics("""
            {
              "notifications": [ { "name": "a", "url": "https://h.example/", "headers": {
                "Bad Name": "x",
                "X-A": "line\r\nInjected: yes",
                "X-B": 1,
                "x-c": "1",
                "X-C": "2"
              } } ]
            }
            """);
        diagnostics.Count.ShouldBe(4);
        diagnostics[0].ShouldBeAt(Error, 3, 5, "\"Bad Name\" is not a valid HTTP header name");
        diagnostics[1].ShouldBeAt(Error, 4, 12, "header values cannot contain line breaks");
        diagnostics[2].ShouldBeAt(Error, 5, 12, "must be a string, not a number");
        diagnostics[3].ShouldBeAt(Error, 7, 5, "header \"X-C\" is given twice (header names ignore case)");
    }

    [Fact]
    public void Duplicate_key_is_reported_at_the_second_occurrence()
    {
        var diagnostics = Diagnostics("""
            {
              "execution": { "max_parallel": 2 },
              "execution": { "max_parallel": 3 }
            }
            """);
        diagnostics.ShouldHaveSingleItem().ShouldBeAt(Error, 3, 3, "execution is given twice (first at 2:3)");
    }

    [Fact]
    public void Syntax_error_position()
    {
        Single("""
            {
              "home": "/var/ossec"
              "state": {}
            }
            """).ShouldBeAt(Error, 3, 3, "invalid JSON: ");
    }

    [Fact]
    public void Syntax_error_message_has_no_byte_position() =>
        Single("{ \"home\": }").Message.ShouldNotContain("BytePositionInLine");

    [Fact]
    public void Unterminated_document() =>
        Single("{\n  \"home\": \"/var/ossec\",\n").ShouldBeAt(Error, 3, 1, "invalid JSON");

    [Theory]
    [InlineData("")]
    [InlineData("  \n\t\n")]
    public void Empty_file(string text) =>
        Single(text).ShouldBeAt(Error, 1, 1, "the file is empty; write {} to use every default");

    [Fact]
    public void Columns_count_characters_not_bytes()
    {
        // é is two bytes in UTF-8 and 😀 is four (two UTF-16 code units); columns follow what an editor shows
        Single("""{ "home": "é", "x": 1 }""").ShouldBeAt(Error, 1, 16, "unknown key \"x\"");
        Single("""{ "home": "😀", "x": 1 }""").ShouldBeAt(Error, 1, 17, "unknown key \"x\"");
    }

    [Fact]
    public void Syntax_error_column_counts_characters_not_bytes() =>
        Single("{ \"home\": \"éé\" \"x\": 1 }").ShouldBeAt(Error, 1, 16, "invalid JSON");

    [Fact]
    public void Positions_after_comments_and_crlf_line_endings()
    {
        string json = "// comment é\r\n{\r\n  /* a\r\n     b */ \"bogus\": 1\r\n}\r\n";
        Single(json).ShouldBeAt(Error, 4, 11, "unknown key \"bogus\"");
    }

    [Fact]
    public void Byte_order_mark_does_not_shift_columns() =>
        Single("\uFEFF{ \"x\": 1 }").ShouldBeAt(Error, 1, 3, "unknown key \"x\"");

    [Fact]
    public void Response_key_with_a_space_is_a_warning_at_the_key() =>
        Single("""{ "responses": { "a b": { "dry_run": true } } }""")
            .ShouldBeAt(Warning, 1, 18, "\"a b\" looks like neither an active-response name");

    [Fact]
    public void Errors_in_an_odd_key_use_a_quoted_path()
    {
        var diagnostics = Diagnostics("""{ "responses": { "a b": { "dry_run": 1 } } }""");
        diagnostics.Count.ShouldBe(2);
        diagnostics[1].ShouldBeAt(Error, 1, 38, "responses[\"a b\"].dry_run must be true or false, not a number");
    }

    [Theory]
    [InlineData("firewall drop")]
    [InlineData("/var/ossec/active-response/bin/firewall-drop")]
    [InlineData("-x")]
    public void Response_key_that_looks_like_no_name_is_a_warning(string key) =>
        Single($$"""{ "responses": { "{{key}}": {} } }""").ShouldBeAt(Warning, 1, 18, "looks like neither");

    [Theory]
    [InlineData("firewall-drop")]
    [InlineData("firewall-drop600")]
    [InlineData("win_route-null0")]
    [InlineData("restart-ossec.sh")]
    public void Response_keys_that_look_like_names_are_accepted(string key) =>
        Load($$"""{ "responses": { "{{key}}": { "dry_run": true } } }""").Responses[key].DryRun.ShouldBe(true);

    [Fact]
    public void Forgive_after_without_decay_is_a_warning()
    {
        var (settings, diagnostics) = RiposteSettingsReader.ReadText("""
            {
              "repeated_offenders": {
                "forgive_after": "12h"
              }
            }
            """);
        settings.ShouldNotBeNull().RepeatedOffenders.ForgiveAfter.ShouldBe(TimeSpan.FromHours(12));
        diagnostics.ShouldHaveSingleItem().ShouldBeAt(Warning, 3, 5, "repeated_offenders.forgive_after has no effect unless repeated_offenders.mode is \"decay\"");
    }

    [Fact]
    public void Control_line_timeout_longer_than_run_timeout_is_a_warning() =>
        Single("""{ "execution": { "control_line_timeout": "2m", "run_timeout": 60 } }""")
            .ShouldBeAt(Warning, 1, 42, "execution.control_line_timeout (2m) is longer than execution.run_timeout (1m)");

    [Fact]
    public void Every_problem_is_reported_in_file_order()
    {
        var diagnostics = Diagnostics("""
            {
              "defaults": { "notify": ["nobody"] },
              "execution": { "max_parallel": 0, "run_timeout": "soon" },
              "fleet": { "role": "agent", "nats_url": "nats://127.0.0.1:4222" },
              "typo": 1
            }
            """);
        diagnostics.Select(d => (d.Position.Line, d.Position.Column)).ShouldBe([(2, 28), (3, 34), (3, 52), (4, 22), (5, 3)]);
        diagnostics.ShouldAllBe(d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Warnings_alone_still_give_settings()
    {
        var (settings, diagnostics) = RiposteSettingsReader.ReadText("""{ "safety": { "allowlist": ["10.0.0.1/8"] } }""");
        diagnostics.ShouldHaveSingleItem().Severity.ShouldBe(DiagnosticSeverity.Warning);
        settings.ShouldNotBeNull();
    }

    [Fact]
    public void Diagnostic_formats_as_file_line_col() =>
        Single("{\n  \"hme\": 1\n}").ToString().ShouldBe("riposte.json:2:3: error: unknown key \"hme\" at the top level; did you mean \"home\"?");
}
