using Riposte.Fleet.Registry;

namespace Riposte.Fleet.Enrolment;

public sealed class EnrolmentRenderingTests
{
    private static readonly string Hash = FleetSecrets.Hash("password");

    [Theory]
    [InlineData("000")]
    [InlineData("01")]
    [InlineData("123456789")]
    [InlineData("001.>")]
    [InlineData("00*")]
    [InlineData(">")]
    [InlineData("001\"")]
    [InlineData("001 ")]
    [InlineData("../01")]
    [InlineData("٠٠١")]
    public void Hostile_agent_ids_are_refused_everywhere(string id)
    {
        Should.Throw<ArgumentException>(() => NatsAuthorization.AgentPermissions(id));
        EnrolmentNames.WhyNot(new EnrolledAgent(id, [], new Dictionary<string, string>())).ShouldNotBeNull();
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("web\"")]
    [InlineData("web}")]
    [InlineData("web\n")]
    [InlineData("$HOME")]
    [InlineData("a#b")]
    [InlineData("a*")]
    [InlineData("a>")]
    [InlineData("é")]
    [InlineData("a/b")]
    public void Hostile_groups_and_labels_are_refused(string name)
    {
        EnrolmentNames.IsName(name).ShouldBeFalse();
        EnrolmentNames.WhyNot(new EnrolledAgent("001", [name], new Dictionary<string, string>())).ShouldNotBeNull();
        EnrolmentNames.WhyNot(new EnrolledAgent("001", [], new Dictionary<string, string> { [name] = "x" })).ShouldNotBeNull();
        EnrolmentNames.WhyNot(new EnrolledAgent("001", [], new Dictionary<string, string> { ["k"] = name })).ShouldNotBeNull();
    }

    [Fact]
    public void Names_are_letters_digits_dot_underscore_dash_up_to_64()
    {
        EnrolmentNames.IsName("web-01_prod.eu").ShouldBeTrue();
        EnrolmentNames.IsName(new string('a', 64)).ShouldBeTrue();
        EnrolmentNames.IsName(new string('a', 65)).ShouldBeFalse();
        EnrolmentNames.IsWazuhVersion("4.2.3").ShouldBeTrue();
        EnrolmentNames.IsWazuhVersion("v4.7.10").ShouldBeTrue();
        EnrolmentNames.IsWazuhVersion("4.2").ShouldBeFalse();
        EnrolmentNames.IsWazuhVersion("4.2.3\"").ShouldBeFalse();
    }

    [Fact]
    public void An_agents_permissions_name_only_its_own_subjects()
    {
        var permissions = NatsAuthorization.AgentPermissions("001");
        permissions.Publish.ShouldBe([
            "$JS.API.CONSUMER.INFO.RIPOSTE_CMD.agent-001",
            "$JS.API.CONSUMER.MSG.NEXT.RIPOSTE_CMD.agent-001",
            "$JS.ACK.RIPOSTE_CMD.agent-001.>",
            "riposte.out.001",
            "riposte.hb.001",
        ]);
        permissions.Subscribe.ShouldBe(["_INBOX_001.>"]);
        NatsAuthorization.ManagerPermissions.Publish.ShouldBe(["$JS.API.>", "$JS.ACK.RIPOSTE_OUT.>", "riposte.cmd.>"]);
        NatsAuthorization.ManagerPermissions.Subscribe.ShouldBe(["riposte.hb.>", "_INBOX_manager.>"]);
    }

    [Fact]
    public void The_authorization_block_holds_hashes_only_quoted()
    {
        var text = NatsAuthorization.Render([NatsAuthorization.Manager(Hash), NatsAuthorization.Agent("001", Hash)]);
        text.ShouldContain("authorization {");
        text.ShouldContain($"password: \"{Hash}\"");
        text.ShouldContain("user: \"agent-001\"");
        text.ShouldContain("publish: { allow: [\"$JS.API.CONSUMER.INFO.RIPOSTE_CMD.agent-001\", ");
        text.ShouldContain("subscribe: { allow: [\"_INBOX_001.>\"] }");
        text.ShouldNotContain("password\"");
    }

    [Theory]
    [InlineData("plaintext")]
    [InlineData("$2b$11$abcdefghijklmnopqrstuuJ3y5F0vMoJH9c1j0G0W0XoNqSGlmC6q")]
    [InlineData("$2a$11$abcdefghijklmnopqrstuuJ3y5F0vMoJH9c1j0G0W0XoNqSGlmC6\"")]
    [InlineData("$2a$11$abcdefghijklmnopqrstuuJ3y5F0vMoJH9c1j0G0W0XoNqSGlmC6q\n")]
    public void Anything_but_a_bcrypt_hash_is_refused_as_a_password(string password) =>
        Should.Throw<ArgumentException>(() => NatsAuthorization.Render([NatsAuthorization.Manager(password)]));

    [Fact]
    public void Hostile_users_and_subjects_are_refused_by_the_renderer_itself()
    {
        var open = new NatsPermissions(["riposte.hb.001"], ["_INBOX_001.>"]);
        foreach (var name in (string[])["a\"b", "a b", "", "-x", "a}"])
        {
            Should.Throw<ArgumentException>(() => NatsAuthorization.Render([new NatsUser(name, Hash, open)]));
        }

        foreach (var subject in (string[])["a\"", "a b", "a..b", ">.a", "a.>x", "a}"])
        {
            Should.Throw<ArgumentException>(() => NatsAuthorization.Render([new NatsUser("u", Hash, open with { Publish = [subject] })]));
        }

        Should.Throw<ArgumentException>(() => NatsAuthorization.Render([NatsAuthorization.Manager(Hash), NatsAuthorization.Manager(Hash)]));
    }

    [Fact]
    public void Quoting_escapes_quotes_and_backslashes_and_refuses_control_characters()
    {
        NatsConfigText.Quote("a\"b\\c $x #y }").ShouldBe("\"a\\\"b\\\\c $x #y }\"");
        Should.Throw<ArgumentException>(() => NatsConfigText.Quote("a\nb"));
        Should.Throw<ArgumentException>(() => NatsConfigText.Quote("a\0b"));
        Should.Throw<ArgumentException>(() => NatsConfigText.Quote("a\u2028b"));
    }

    [Fact]
    public void The_server_configuration_has_listen_jetstream_tls_cluster_and_the_include()
    {
        var text = new NatsServerConfig
        {
            Listen = "10.0.0.1:4222",
            ServerName = "n1",
            StoreDirectory = "/var/lib/nats/js",
            Tls = new NatsTlsConfig("/etc/nats/s.pem", "/etc/nats/s.key", "/etc/nats/ca.pem", Verify: true),
            Cluster = new NatsClusterConfig("riposte", "10.0.0.1:6222", ["nats-route://10.0.0.2:6222", "nats-route://[fd00::3]:6222"]),
            AuthorizationInclude = "../var/ossec/etc/riposte-fleet/nats-authorization.conf",
        }.Render();
        text.ShouldContain("listen: \"10.0.0.1:4222\"\n");
        text.ShouldContain("server_name: \"n1\"\n");
        text.ShouldContain("store_dir: \"/var/lib/nats/js\"\n");
        text.ShouldContain("max_file_store: 10GB\n");
        text.ShouldContain("max_memory_store: 256MB\n");
        text.ShouldContain("ca_file: \"/etc/nats/ca.pem\"\n  verify: true\n");
        text.ShouldContain("routes: [\"nats-route://10.0.0.2:6222\", \"nats-route://[fd00::3]:6222\"]");
        text.ShouldContain("include \"../var/ossec/etc/riposte-fleet/nats-authorization.conf\"\n");
        NatsServerConfig.IncludePath("/etc/nats-server.conf", "/var/ossec/etc/riposte-fleet/nats-authorization.conf")
            .ShouldBe("../var/ossec/etc/riposte-fleet/nats-authorization.conf");
    }

    [Theory]
    [InlineData("listen", "0.0.0.0")]
    [InlineData("listen", "0.0.0.0:99999")]
    [InlineData("listen", "a\"b:4222")]
    [InlineData("listen", "host name:4222")]
    [InlineData("name", "n 1")]
    [InlineData("name", "n\"1")]
    [InlineData("route", "http://10.0.0.2:6222")]
    [InlineData("route", "nats-route://u:p@10.0.0.2:6222")]
    [InlineData("route", "nats-route://10.0.0.2:6222/\"x")]
    [InlineData("store", "/a\nb")]
    public void Malformed_server_settings_are_refused(string what, string value)
    {
        var config = new NatsServerConfig();
        config = what switch
        {
            "listen" => config with { Listen = value },
            "name" => config with { ServerName = value },
            "route" => config with { Cluster = new NatsClusterConfig("c", "0.0.0.0:6222", [value]) },
            _ => config with { StoreDirectory = value },
        };
        Should.Throw<ArgumentException>(config.Render);
    }

    [Fact]
    public void Verifying_clients_needs_a_ca_and_a_cluster_needs_routes()
    {
        Should.Throw<ArgumentException>(() => NatsServerConfig.RenderTls(new NatsTlsConfig("c", "k", Verify: true)));
        Should.Throw<ArgumentException>(() => NatsServerConfig.RenderCluster(new NatsClusterConfig("c", "0.0.0.0:6222", [])));
    }
}
