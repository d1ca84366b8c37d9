using System.Text.Json;

namespace Riposte.Cli.Commands;

public sealed class FleetCommandTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Add_list_remove_and_nats_config()
    {
        using var home = new TestHome();
        var fleet = Path.Combine(home.Path, "etc", "riposte-fleet");

        var added = await CliRunner.RunAsync(["fleet", "add-agent", "001", "--group", "web", "--group", "dmz", "--label", "env=prod", "--home", home.Path]);
        added.ExitCode.ShouldBe(0, added.Error);
        var credentials = Path.Combine(fleet, "agents", "001.creds.json");
        added.Out.ShouldContain($"credentials: {credentials}");
        added.Out.ShouldContain("nats-server --signal reload");
        added.Out.ShouldContain("kill -HUP");
        (await CliRunner.RunAsync(["fleet", "add-agent", "002", "--wazuh", "--wazuh-version", "4.2.3", "--home", home.Path])).ExitCode.ShouldBe(0);

        foreach (var file in (string[])["agents.json", "secrets.json", "nats-authorization.conf", "manager.creds.json", "agents/001.creds.json"])
        {
            File.GetUnixFileMode(Path.Combine(fleet, file)).ShouldBe(OwnerOnly, file);
        }

        File.Exists(Path.Combine(fleet, "agents", "002.creds.json")).ShouldBeFalse("a Wazuh agent has no NATS user");

        var table = await CliRunner.RunAsync(["fleet", "list", "--home", home.Path]);
        table.ExitCode.ShouldBe(0);
        table.OutLines[0].ShouldStartWith("ID");
        table.OutLines[1].ShouldMatch(@"^001\s+riposte\s+web,dmz\s+env=prod$");
        table.OutLines[2].ShouldMatch(@"^002\s+wazuh 4\.2\.3\s+-\s+-$");
        table.OutLines[3].ShouldBe("2 enrolled");

        var json = await CliRunner.RunAsync(["fleet", "list", "--format", "json", "--home", home.Path]);
        using (var doc = JsonDocument.Parse(json.Out))
        {
            var agents = doc.RootElement.GetProperty("agents");
            agents.GetArrayLength().ShouldBe(2);
            agents[0].GetProperty("groups")[1].GetString().ShouldBe("dmz");
            agents[1].GetProperty("transport").GetString().ShouldBe("wazuh");
        }

        var config = await CliRunner.RunAsync(["fleet", "nats-config", "--home", home.Path, "--listen", "127.0.0.1:4333", "--server-name", "n1",
            "--config-path", Path.Combine(home.Path, "etc", "nats.conf"), "--tls-cert", "/etc/nats/s.pem", "--tls-key", "/etc/nats/s.key",
            "--cluster-name", "riposte", "--cluster-listen", "0.0.0.0:6222", "--route", "nats-route://10.0.0.2:6222", "--route", "nats-route://10.0.0.3:6222"]);
        config.ExitCode.ShouldBe(0, config.Error);
        config.Out.ShouldContain("listen: \"127.0.0.1:4333\"");
        config.Out.ShouldContain("include \"riposte-fleet/nats-authorization.conf\"");
        config.Out.ShouldContain("cert_file: \"/etc/nats/s.pem\"");
        config.Out.ShouldContain("routes: [\"nats-route://10.0.0.2:6222\", \"nats-route://10.0.0.3:6222\"]");

        var removed = await CliRunner.RunAsync(["fleet", "remove-agent", "001", "--home", home.Path]);
        removed.ExitCode.ShouldBe(0);
        File.Exists(credentials).ShouldBeFalse();
        File.ReadAllText(Path.Combine(fleet, "nats-authorization.conf")).ShouldNotContain("agent-001");
        (await CliRunner.RunAsync(["fleet", "remove-agent", "001", "--home", home.Path])).ExitCode.ShouldBe(ExitCodes.InvalidInput);
    }

    [Theory]
    [InlineData("add-agent", "000")]
    [InlineData("add-agent", "1.>")]
    [InlineData("add-agent", "001", "--group", "web\"")]
    [InlineData("add-agent", "001", "--label", "env")]
    [InlineData("add-agent", "001", "--label", "env=a b")]
    [InlineData("remove-agent", "*")]
    [InlineData("rekey-agent", "001")]
    [InlineData("nats-config", "--listen", "nowhere")]
    public async Task Hostile_or_wrong_input_is_refused_and_writes_nothing_unvalidated(string command, params string[] rest)
    {
        using var home = new TestHome();
        var result = await CliRunner.RunAsync(["fleet", command, .. rest, "--home", home.Path]);
        result.ExitCode.ShouldBe(ExitCodes.InvalidInput, result.Out + result.Error);
        result.Error.ShouldStartWith("riposte fleet: ");
        var registry = Path.Combine(home.Path, "etc", "riposte-fleet", "agents.json");
        if (File.Exists(registry))
        {
            File.ReadAllText(registry).ShouldNotContain("001");
        }
    }

    [Fact]
    public async Task Wrong_option_combinations_are_usage_errors()
    {
        using var home = new TestHome();
        (await CliRunner.RunAsync(["fleet", "add-agent", "001", "--wazuh-version", "4.2.3", "--home", home.Path])).ExitCode.ShouldBe(ExitCodes.Usage);
        (await CliRunner.RunAsync(["fleet", "nats-config", "--tls-cert", "c.pem", "--home", home.Path])).ExitCode.ShouldBe(ExitCodes.Usage);
        (await CliRunner.RunAsync(["fleet", "nats-config", "--cluster-name", "c", "--home", home.Path])).ExitCode.ShouldBe(ExitCodes.Usage);
    }
}
