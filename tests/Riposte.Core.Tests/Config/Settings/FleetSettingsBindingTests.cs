namespace Riposte.Config.Settings;

using static SettingsTestHelpers;

/// <summary>The fleet timings, TLS and remoted keys, and the <c>route</c> of a response policy.</summary>
public sealed class FleetSettingsBindingTests
{
    private const DiagnosticSeverity Error = DiagnosticSeverity.Error;
    private const DiagnosticSeverity Warning = DiagnosticSeverity.Warning;

    private const string Manager = "\"role\": \"manager\", \"nats_url\": \"nats://127.0.0.1:4222\"";

    private static string Fleet(string keys) => $$"""{ "fleet": { {{Manager}}, {{keys}} } }""";

    private static string Route(string route) => $$"""{ "responses": { "firewall-drop600": { "route": {{route}} } } }""";

    /// <summary>The 1-based column where <paramref name="marker"/> starts on a one-line document.</summary>
    private static int Col(string json, string marker)
    {
        var index = json.IndexOf(marker, StringComparison.Ordinal);
        index.ShouldBeGreaterThanOrEqualTo(0, $"'{marker}' is not in {json}");
        return index + 1;
    }

    [Fact]
    public void Every_new_fleet_key_is_read()
    {
        var s = Load(Fleet("""
            "node_name": "mgr-1_a", "heartbeat": "2s", "ack_wait": 45, "outcome_retention": "3d", "replicas": 3,
            "remoted_queue": "queue/alerts/ar", "tls_ca_file": "/etc/ca.pem", "tls_cert_file": "/etc/c.pem", "tls_key_file": "/etc/k.pem"
            """)).Fleet;

        s.NodeName.ShouldBe("mgr-1_a");
        s.Heartbeat.ShouldBe(TimeSpan.FromSeconds(2));
        s.AckWait.ShouldBe(TimeSpan.FromSeconds(45));
        s.OutcomeRetention.ShouldBe(TimeSpan.FromDays(3));
        s.Replicas.ShouldBe(3);
        s.RemotedQueue.ShouldBe("queue/alerts/ar");
        s.TlsCaFile.ShouldBe("/etc/ca.pem");
        s.TlsCertFile.ShouldBe("/etc/c.pem");
        s.TlsKeyFile.ShouldBe("/etc/k.pem");
    }

    [Fact]
    public void Defaults_hold_when_the_keys_are_absent()
    {
        var s = Load(Fleet("\"command_ttl\": \"1h\"")).Fleet;

        s.NodeName.ShouldBeNull();
        s.Heartbeat.ShouldBe(TimeSpan.FromSeconds(5));
        s.AckWait.ShouldBe(TimeSpan.FromSeconds(30));
        s.OutcomeRetention.ShouldBe(TimeSpan.FromDays(7));
        s.Replicas.ShouldBe(1);
        s.RemotedQueue.ShouldBeNull();
        s.TlsCaFile.ShouldBeNull();
    }

    [Fact]
    public void A_relative_remoted_queue_resolves_under_the_home()
    {
        var s = Load("""{ "home": "/var/ossec", "fleet": { "role": "manager", "nats_url": "nats://127.0.0.1:4222", "remoted_queue": "queue/alerts/ar" } }""");

        s.ResolvePath(s.Fleet.RemotedQueue!).ShouldBe("/var/ossec/queue/alerts/ar");
    }

    [Theory]
    [InlineData("a b", "is not a node name")]
    [InlineData("mgr.example.com", "'.' is not allowed")]
    [InlineData("mgr*", "is not a node name")]
    [InlineData("ünïcode", "is not a node name")]
    public void Bad_node_name(string name, string message)
    {
        var json = Fleet($"\"node_name\": \"{name}\"");
        var diagnostic = Single(json);
        diagnostic.ShouldBeAt(Error, 1, Col(json, $"\"{name}\""), $"fleet.node_name: \"{name}\" is not a node name");
        diagnostic.Message.ShouldContain(message);
    }

    [Fact]
    public void Node_name_longer_than_64_is_refused()
    {
        Load(Fleet($"\"node_name\": \"{new string('n', 64)}\"")).Fleet.NodeName!.Length.ShouldBe(64);
        var json = Fleet($"\"node_name\": \"{new string('n', 65)}\"");
        Single(json).ShouldBeAt(Error, 1, Col(json, "\"nnn"), "1 to 64 ASCII letters");
    }

    [Theory]
    [InlineData("heartbeat")]
    [InlineData("ack_wait")]
    [InlineData("outcome_retention")]
    public void Durations_must_be_positive(string key)
    {
        var json = Fleet($"\"{key}\": 0");
        Single(json).ShouldBeAt(Error, 1, Col(json, ": 0") + 2, $"fleet.{key} must be longer than zero");
        var bad = Fleet($"\"{key}\": \"soon\"");
        Single(bad).ShouldBeAt(Error, 1, Col(bad, "\"soon\""), $"fleet.{key}: ");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void Replicas_must_be_1_to_5(int replicas)
    {
        var json = Fleet($"\"replicas\": {replicas}");
        Single(json).ShouldBeAt(Error, 1, Col(json, $": {replicas}") + 2, $"fleet.replicas must be between 1 and 5, not {replicas}");
    }

    [Theory]
    [InlineData("tls_cert_file", "tls_key_file")]
    [InlineData("tls_key_file", "tls_cert_file")]
    public void A_client_certificate_needs_its_key(string given, string missing)
    {
        var json = Fleet($"\"{given}\": \"/etc/x.pem\"");
        Single(json).ShouldBeAt(Error, 1, Col(json, "\"/etc/x.pem\""), $"fleet.{given} is set but fleet.{missing} is not");
    }

    [Fact]
    public void Unknown_fleet_key_suggests_the_new_ones()
    {
        var json = Fleet("\"ack_wiat\": 5");
        Single(json).ShouldBeAt(Error, 1, Col(json, "\"ack_wiat\""), "unknown key \"ack_wiat\" in fleet; did you mean \"ack_wait\"?");
    }

    [Fact]
    public void Without_a_role_the_fleet_keys_wait_for_the_command_line_to_choose_one()
    {
        // serve --nats and riposte agent pick the role; their timings come from here.
        Diagnostics("""{ "fleet": { "heartbeat": "2s", "ack_wait": "3s", "node_name": "m1", "command_ttl": "1h" } }""").ShouldBeEmpty();
    }

    [Fact]
    public void Standalone_warns_about_the_new_keys_too()
    {
        var json = """{ "fleet": { "heartbeat": "2s", "remoted_queue": "/q", "role": "standalone" } }""";
        var diagnostics = Diagnostics(json);
        diagnostics.Count.ShouldBe(2);
        diagnostics[0].ShouldBeAt(Warning, 1, Col(json, "\"heartbeat\""), "fleet.heartbeat has no effect while fleet.role is \"standalone\"");
        diagnostics[1].ShouldBeAt(Warning, 1, Col(json, "\"remoted_queue\""), "fleet.remoted_queue has no effect");
    }

    [Fact]
    public void An_agent_warns_about_manager_only_keys()
    {
        var json = """{ "fleet": { "role": "agent", "nats_url": "nats://127.0.0.1:4222", "agent_id": "001", "replicas": 3, "heartbeat": 2 } }""";
        Single(json).ShouldBeAt(Warning, 1, Col(json, "\"replicas\""), "fleet.replicas has no effect while fleet.role is \"agent\"");
    }

    [Theory]
    [InlineData("123456789")]
    [InlineData("0000")]
    public void Fleet_agent_id_follows_the_fleet_rule(string id)
    {
        var json = $$"""{ "fleet": { "role": "agent", "nats_url": "nats://127.0.0.1:4222", "agent_id": "{{id}}" } }""";
        Single(json).ShouldBeAt(Error, 1, Col(json, $"\"{id}\""), "3 to 8 digits");
    }

    [Fact]
    public void A_full_route_is_read()
    {
        var route = Load(Route("""
            { "agents": ["001", "12345678"], "groups": ["web", "db.eu-1"], "labels": { "env": "prod", "tier": "front_1" },
              "manager": true, "all_agents": false, "alert_agent": true }
            """)).PolicyFor("firewall-drop600", "firewall-drop").Route.ShouldNotBeNull();

        route.Agents.ShouldBe(["001", "12345678"]);
        route.Groups.ShouldBe(["web", "db.eu-1"]);
        route.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}").ShouldBe(["env=prod", "tier=front_1"]);
        route.Manager.ShouldBeTrue();
        route.AllAgents.ShouldBeFalse();
        route.AlertAgent.ShouldBeTrue();
    }

    [Fact]
    public void A_route_in_defaults_applies_to_every_response_unless_one_replaces_it()
    {
        var s = Load("""
            { "defaults": { "route": { "all_agents": true, "manager": true } },
              "responses": { "host-deny": { "route": { "groups": ["web"] } } } }
            """);

        s.PolicyFor("firewall-drop600", "firewall-drop").Route!.AllAgents.ShouldBeTrue();
        s.PolicyFor("host-deny60", "host-deny").Route!.Groups.ShouldBe(["web"]);
        s.PolicyFor("host-deny60", "host-deny").Route!.AllAgents.ShouldBeFalse();
    }

    [Fact]
    public void No_route_and_a_null_route_keep_the_location()
    {
        Load("""{ "responses": { "firewall-drop600": { "dry_run": true } } }""").PolicyFor("firewall-drop600", "firewall-drop").Route.ShouldBeNull();
        Load(Route("null")).PolicyFor("firewall-drop600", "firewall-drop").Route.ShouldBeNull();
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{ "agents": [], "groups": [], "labels": {} }""")]
    [InlineData("""{ "manager": false, "all_agents": false, "alert_agent": false }""")]
    public void An_empty_route_is_an_error(string route)
    {
        var json = Route(route);
        Single(json).ShouldBeAt(Error, 1, Col(json, route), "responses.firewall-drop600.route names no destination");
    }

    [Theory]
    [InlineData("000")]
    [InlineData("01")]
    [InlineData("123456789")]
    [InlineData("1a3")]
    [InlineData("-01")]
    public void Route_agent_ids_are_checked(string id)
    {
        var json = Route($$"""{ "agents": ["002", "{{id}}"] }""");
        Single(json).ShouldBeAt(Error, 1, Col(json, $"\"{id}\""), $"responses.firewall-drop600.route.agents[1]: \"{id}\" is not an agent id");
    }

    [Fact]
    public void A_repeated_agent_is_a_warning_and_kept_once()
    {
        var json = Route("""{ "agents": ["002", "003", "002"] }""");
        var (settings, diagnostics) = RiposteSettingsReader.ReadText(json);
        diagnostics.ShouldHaveSingleItem().ShouldBeAt(Warning, 1, Col(json, "\"002\"]"), "route.agents[2]: \"002\" is listed twice");
        settings!.PolicyFor("firewall-drop600", "x").Route!.Agents.ShouldBe(["002", "003"]);
    }

    [Theory]
    [InlineData("""{ "groups": ["web servers"] }""", "web servers", "route.groups[0]: \"web servers\" is not a group name")]
    [InlineData("""{ "groups": ["a/b"] }""", "a/b", "is not a group name")]
    [InlineData("""{ "labels": { "env": "prod eu" } }""", "prod eu", "route.labels.env: \"prod eu\" is not a label value")]
    public void Group_and_label_values_use_the_safe_charset(string route, string bad, string message)
    {
        var json = Route(route);
        Single(json).ShouldBeAt(Error, 1, Col(json, $"\"{bad}\""), message);
    }

    [Fact]
    public void A_bad_label_name_is_reported_at_the_name()
    {
        var json = Route("""{ "labels": { "e v": "prod" } }""");
        Single(json).ShouldBeAt(Error, 1, Col(json, "\"e v\""), "\"e v\" is not a label");
    }

    [Fact]
    public void Route_type_errors()
    {
        var json = Route("""{ "manager": "yes", "labels": { "env": 1 }, "agents": "001" }""");
        var diagnostics = Diagnostics(json);
        diagnostics.Count.ShouldBe(3, string.Join("\n", diagnostics));
        diagnostics[0].ShouldBeAt(Error, 1, Col(json, "\"yes\""), "route.manager must be true or false, not a string");
        diagnostics[1].ShouldBeAt(Error, 1, Col(json, ": 1") + 2, "route.labels.env must be a string, not a number");
        diagnostics[2].ShouldBeAt(Error, 1, Col(json, "\"001\""), "route.agents must be an array of agent ids, not a string");
    }

    [Fact]
    public void Unknown_route_key_suggests_a_known_one()
    {
        var json = Route("""{ "all_agent": true }""");
        Single(json).ShouldBeAt(Error, 1, Col(json, "\"all_agent\""), "unknown key \"all_agent\" in responses.firewall-drop600.route; did you mean \"all_agents\"?");
    }

    [Fact]
    public void A_route_that_is_not_an_object() =>
        Single(Route("[\"001\"]")).Message.ShouldContain("responses.firewall-drop600.route must be an object, not an array");
}
