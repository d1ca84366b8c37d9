using System.Globalization;
using System.Text;

namespace Riposte.Config.Settings;

/// <summary>
/// Pins what the binder does today for every key given every kind of JSON value, plus the cross-key rules: the
/// diagnostics (severity, position, text, order) and every bound value. Any change to binding shows as a diff
/// against the golden file. RIPOSTE_WRITE_GOLDEN=1 rewrites it, for a change that is meant.
/// </summary>
public sealed class BinderCharacterisationTests
{
    private static readonly string GoldenPath =
        Path.Combine(SettingsTestHelpers.RepositoryRoot(), "tests", "TestData", "settings-binder-golden.txt");

    /// <summary>Values chosen so each key meets a right and several wrong types, empties, bounds and nulls.</summary>
    private static readonly string[] Values =
        ["{}", """{ "a": "b" }""", "[]", """["x"]""", "[1]", "null", "\"\"", "\"x\"", "\"1h\"", "0", "-1", "1.5", "true"];

    /// <summary>Each key with the JSON that places it: {0} is the value.</summary>
    private static readonly (string Key, string Template)[] Keys =
    [
        ("home", """{ "home": {0} }"""),
        ("state", """{ "state": {0} }"""),
        ("state.path", """{ "state": { "path": {0} } }"""),
        ("wazuh", """{ "wazuh": {0} }"""),
        ("wazuh.ossec_conf", """{ "wazuh": { "ossec_conf": {0} } }"""),
        ("execution", """{ "execution": {0} }"""),
        ("execution.max_parallel", """{ "execution": { "max_parallel": {0} } }"""),
        ("execution.control_line_timeout", """{ "execution": { "control_line_timeout": {0} } }"""),
        ("execution.run_timeout", """{ "execution": { "run_timeout": {0} } }"""),
        ("execution.output_limit_bytes", """{ "execution": { "output_limit_bytes": {0} } }"""),
        ("execution.revert_on_shutdown", """{ "execution": { "revert_on_shutdown": {0} } }"""),
        ("repeated_offenders", """{ "repeated_offenders": {0} }"""),
        ("repeated_offenders.mode", """{ "repeated_offenders": { "mode": {0} } }"""),
        ("repeated_offenders.forgive_after", """{ "repeated_offenders": { "mode": "decay", "forgive_after": {0} } }"""),
        ("defaults", """{ "defaults": {0} }"""),
        ("defaults.allowlist", """{ "defaults": { "allowlist": {0} } }"""),
        ("defaults.dry_run", """{ "defaults": { "dry_run": {0} } }"""),
        ("defaults.max_new_per_minute", """{ "defaults": { "max_new_per_minute": {0} } }"""),
        ("defaults.escalation", """{ "defaults": { "escalation": {0} } }"""),
        ("defaults.notify", """{ "defaults": { "notify": {0} }, "notifications": [ { "name": "x", "url": "https://h.example/" } ] }"""),
        ("defaults.route", """{ "defaults": { "route": {0} } }"""),
        ("responses", """{ "responses": {0} }"""),
        ("responses.entry", """{ "responses": { "firewall-drop": {0} } }"""),
        ("responses.dry_run", """{ "responses": { "firewall-drop": { "dry_run": {0} } } }"""),
        ("route.agents", """{ "defaults": { "route": { "manager": true, "agents": {0} } } }"""),
        ("route.groups", """{ "defaults": { "route": { "manager": true, "groups": {0} } } }"""),
        ("route.labels", """{ "defaults": { "route": { "manager": true, "labels": {0} } } }"""),
        ("route.manager", """{ "defaults": { "route": { "manager": {0} } } }"""),
        ("route.all_agents", """{ "defaults": { "route": { "all_agents": {0} } } }"""),
        ("route.alert_agent", """{ "defaults": { "route": { "alert_agent": {0} } } }"""),
        ("safety", """{ "safety": {0} }"""),
        ("safety.never_block_self", """{ "safety": { "never_block_self": {0} } }"""),
        ("safety.allowlist", """{ "safety": { "allowlist": {0} } }"""),
        ("notifications", """{ "notifications": {0} }"""),
        ("notifications.item", """{ "notifications": [ {0} ] }"""),
        ("notifications.name", """{ "notifications": [ { "name": {0}, "url": "https://h.example/" } ] }"""),
        ("notifications.url", """{ "notifications": [ { "name": "n", "url": {0} } ] }"""),
        ("notifications.events", """{ "notifications": [ { "name": "n", "url": "https://h.example/", "events": {0} } ] }"""),
        ("notifications.min_interval", """{ "notifications": [ { "name": "n", "url": "https://h.example/", "min_interval": {0} } ] }"""),
        ("notifications.headers", """{ "notifications": [ { "name": "n", "url": "https://h.example/", "headers": {0} } ] }"""),
        ("notifications.type", """{ "notifications": [ { "name": "n", "url": "https://h.example/", "type": {0} } ] }"""),
        ("notifications.format", """{ "notifications": [ { "name": "n", "type": "teams", "url": "https://h.example/", "format": {0} } ] }"""),
        ("notifications.min_severity", """{ "notifications": [ { "name": "n", "url": "https://h.example/", "min_severity": {0} } ] }"""),
        ("notifications.grouping", """{ "notifications": [ { "name": "n", "url": "https://h.example/", "grouping": {0} } ] }"""),
        ("notifications.retry", """{ "notifications": [ { "name": "n", "url": "https://h.example/", "retry": {0} } ] }"""),
        ("notifications.syslog", """{ "notifications": [ { "name": "n", "type": "syslog", "syslog": {0} } ] }"""),
        ("notifications.email", """{ "notifications": [ { "name": "n", "type": "email", "email": {0} } ] }"""),
        ("fleet", """{ "fleet": {0} }"""),
        ("fleet.role", """{ "fleet": { "role": {0} } }"""),
        ("fleet.nats_url", """{ "fleet": { "nats_url": {0} } }"""),
        ("fleet.agent_id", """{ "fleet": { "agent_id": {0} } }"""),
        ("fleet.credentials_file", """{ "fleet": { "credentials_file": {0} } }"""),
        ("fleet.command_ttl", """{ "fleet": { "command_ttl": {0} } }"""),
        ("fleet.node_name", """{ "fleet": { "node_name": {0} } }"""),
        ("fleet.heartbeat", """{ "fleet": { "heartbeat": {0} } }"""),
        ("fleet.ack_wait", """{ "fleet": { "ack_wait": {0} } }"""),
        ("fleet.replicas", """{ "fleet": { "replicas": {0} } }"""),
        ("fleet.outcome_retention", """{ "fleet": { "outcome_retention": {0} } }"""),
        ("fleet.remoted_queue", """{ "fleet": { "remoted_queue": {0} } }"""),
        ("fleet.tls_ca_file", """{ "fleet": { "tls_ca_file": {0} } }"""),
        ("fleet.tls_cert_file", """{ "fleet": { "tls_cert_file": {0}, "tls_key_file": "/k" } }"""),
        ("fleet.tls_key_file", """{ "fleet": { "tls_cert_file": "/c", "tls_key_file": {0} } }"""),
        ("api", """{ "api": {0} }"""),
        ("api.listen", """{ "api": { "listen": {0}, "token_file": "/t" } }"""),
        ("api.token_file", """{ "api": { "listen": "127.0.0.1:9595", "token_file": {0} } }"""),
        ("metrics", """{ "metrics": {0} }"""),
        ("metrics.listen", """{ "metrics": { "listen": {0} } }"""),
    ];

    /// <summary>Whole documents for the rules that look at more than one key, and for unknown keys in each section.</summary>
    private static readonly (string Name, string Json)[] Documents =
    [
        ("unknown top level far", """{ "zzzzzz": 1 }"""),
        ("unknown top level near", """{ "Repeated-Offenders": {} }"""),
        ("unknown state", """{ "state": { "zzzzzz": 1, "pth": 1 } }"""),
        ("unknown wazuh", """{ "wazuh": { "zzzzzz": 1, "ossecConf": 1 } }"""),
        ("unknown execution", """{ "execution": { "zzzzzz": 1, "run_timeot": 1 } }"""),
        ("unknown repeated_offenders", """{ "repeated_offenders": { "zzzzzz": 1, "mod": 1 } }"""),
        ("unknown defaults", """{ "defaults": { "zzzzzz": 1, "allow_list": 1 } }"""),
        ("unknown responses", """{ "responses": { "x": { "zzzzzz": 1, "rout": 1 } } }"""),
        ("unknown route", """{ "defaults": { "route": { "manager": true, "zzzzzz": 1, "group": 1 } } }"""),
        ("unknown safety", """{ "safety": { "zzzzzz": 1, "neverBlockSelf": 1 } }"""),
        ("unknown notification", """{ "notifications": [ { "name": "n", "url": "https://h.example/", "zzzzzz": 1, "header": 1 } ] }"""),
        ("unknown fleet", """{ "fleet": { "zzzzzz": 1, "tls-ca-file": 1 } }"""),
        ("unknown api", """{ "api": { "zzzzzz": 1, "tokenfile": 1 } }"""),
        ("unknown metrics", """{ "metrics": { "zzzzzz": 1, "listn": 1 } }"""),
        ("standalone with every fleet key", """
            { "fleet": { "role": "standalone", "nats_url": "nats://127.0.0.1:4222", "agent_id": "001", "credentials_file": "/c",
              "command_ttl": "1h", "node_name": "m", "heartbeat": 1, "ack_wait": 1, "replicas": 1, "outcome_retention": "1d",
              "remoted_queue": "/q", "tls_ca_file": "/ca", "tls_cert_file": "/c", "tls_key_file": "/k", "zzz": null } }
            """),
        ("standalone with null keys", """{ "fleet": { "role": "standalone", "nats_url": null, "agent_id": null } }"""),
        ("no role with every fleet key", """
            { "fleet": { "nats_url": "nats://nats.example.com:4222", "agent_id": "001", "replicas": 2, "remoted_queue": "/q" } }
            """),
        ("agent with every fleet key", """
            { "fleet": { "role": "agent", "nats_url": "nats://127.0.0.1:4222", "agent_id": "001", "credentials_file": "/c",
              "command_ttl": "1h", "node_name": "m", "heartbeat": 1, "ack_wait": 1, "replicas": 1, "outcome_retention": "1d",
              "remoted_queue": "/q", "tls_ca_file": "/ca", "tls_cert_file": "/c", "tls_key_file": "/k" } }
            """),
        ("manager with every fleet key", """
            { "fleet": { "role": "manager", "nats_url": "nats://10.0.0.1:4222", "agent_id": "001", "credentials_file": "/c",
              "command_ttl": "1h", "node_name": "m", "heartbeat": 1, "ack_wait": 1, "replicas": 1, "outcome_retention": "1d",
              "remoted_queue": "/q", "tls_ca_file": "/ca", "tls_cert_file": "/c", "tls_key_file": "/k" } }
            """),
        ("agent missing everything, role last", """{ "fleet": { "replicas": 9, "role": "agent" } }"""),
        ("manager with remote url and no credentials", """{ "fleet": { "role": "manager", "nats_url": "wss://n.example:443", "credentials_file": null } }"""),
        ("manager with a bad url", """{ "fleet": { "role": "manager", "nats_url": "http://n" } }"""),
        ("role given twice", """{ "fleet": { "role": "agent", "role": "manager" } }"""),
        ("role null", """{ "fleet": { "role": null, "agent_id": "001" } }"""),
        ("cert without key, key null", """{ "fleet": { "tls_cert_file": "/c", "tls_key_file": null } }"""),
        ("control line longer, only run timeout given", """{ "execution": { "run_timeout": 5 } }"""),
        ("control line longer, both given", """{ "execution": { "run_timeout": 5, "control_line_timeout": "6s" } }"""),
        ("control line longer, control given", """{ "execution": { "control_line_timeout": "2m" } }"""),
        ("control line invalid", """{ "execution": { "control_line_timeout": "x", "run_timeout": 5 } }"""),
        ("forgive_after null", """{ "repeated_offenders": { "forgive_after": null } }"""),
        ("forgive_after with decay before", """{ "repeated_offenders": { "mode": "decay", "forgive_after": 5 } }"""),
        ("forgive_after with decay after", """{ "repeated_offenders": { "forgive_after": 5, "mode": "decay" } }"""),
        ("forgive_after with bad mode", """{ "repeated_offenders": { "forgive_after": 5, "mode": "decayed" } }"""),
        ("api listen null and token", """{ "api": { "listen": null, "token_file": "/t" } }"""),
        ("api listen bad without token", """{ "api": { "listen": "bad" } }"""),
        ("api token null and listen", """{ "api": { "listen": "127.0.0.1:1", "token_file": null } }"""),
        ("api and metrics on the wildcard", """{ "api": { "listen": "[::]:9", "token_file": "/t" }, "metrics": { "listen": "10.0.0.1:9" } }"""),
        ("api and metrics apart", """{ "api": { "listen": "127.0.0.1:9", "token_file": "/t" }, "metrics": { "listen": "127.0.0.2:9" } }"""),
        ("api and metrics same host case", """{ "api": { "listen": "LocalHost:9", "token_file": "/t" }, "metrics": { "listen": "localhost:9" } }"""),
        ("notify references", """
            { "defaults": { "notify": ["a", "b", "ops2"] }, "responses": { "r": { "notify": ["ops1"] } },
              "notifications": [ { "name": "ops1", "url": "https://h.example/" }, { "name": "ops1", "url": "https://h.example/" },
                                 { "name": "", "url": "https://h.example/" }, { "url": "https://h.example/" } ] }
            """),
        ("notify with no notifications", """{ "responses": { "r": { "notify": ["a", 1, ""] } } }"""),
        ("notification missing url keeps its name", """
            { "defaults": { "notify": ["a"] }, "notifications": [ { "name": "a" }, { "name": "a", "url": "https://h.example/" } ] }
            """),
        ("notification bad url keeps its name", """{ "notifications": [ { "name": "a", "url": "ftp://x" }, { "name": "a", "url": "https://h.example/" } ] }"""),
        ("notification url null", """{ "notifications": [ { "name": "a", "url": null } ] }"""),
        ("notifications full", """
            { "notifications": [ { "name": "a", "url": "http://h.example:8/x", "events": ["delete", "timeout", "delete"],
              "min_interval": 0, "headers": { "A": "1", "a": "2", "B": "", "C!": "x", "": "y" } } ] }
            """),
        ("notifications every type", """
            { "notifications": [ { "name": "s", "type": "slack", "url": "https://hooks.slack.example/x", "events": ["kill", "rate-limited", "dry-run"],
              "responses": ["firewall-drop600"], "rules": ["5712"], "agents": ["001"], "min_severity": "warning",
              "grouping": { "group_wait": "30s", "group_interval": "5m", "repeat_interval": "1h" }, "rate_limit": { "max": 10, "interval": "1h" },
              "retry": { "max_attempts": 3, "base_delay": "2s", "max_delay": "1m" }, "max_pending": 50 },
              { "name": "t", "type": "teams", "url": "https://teams.example/hook" },
              { "name": "m", "type": "email", "email": { "host": "smtp.example", "port": 25, "starttls": false, "user": "u", "password_file": "/etc/p", "ca_file": "/etc/ca.pem",
                "from": "r@example", "to": ["a@example", "b@example"] } },
              { "name": "y", "type": "syslog", "syslog": { "address": "udp://127.0.0.1:514", "facility": 16 } },
              { "name": "y2", "type": "syslog", "syslog": { "address": "/dev/log" } } ] }
            """),
        ("notifications keys of another type", """
            { "notifications": [ { "name": "a", "type": "email", "url": "https://h.example/", "email": { "host": "h", "from": "f", "to": ["t"] },
              "syslog": { "address": "/dev/log" } }, { "name": "b", "url": "https://h.example/", "email": null } ] }
            """),
        ("notifications incomplete per type", """
            { "notifications": [ { "name": "a", "type": "email" }, { "name": "b", "type": "syslog", "syslog": { "address": "ftp://x" } },
              { "name": "c", "type": "slack" }, { "name": "d", "type": "email", "email": { "host": "h", "from": "f", "to": [] } } ] }
            """),
        ("notifications format", """
            { "notifications": [ { "name": "a", "type": "teams", "url": "https://h.example/", "format": "message-card" },
              { "name": "b", "type": "teams", "url": "https://h.example/", "format": "adaptive-card" } ] }
            """),
        ("notifications format near miss", """{ "notifications": [ { "name": "c", "type": "teams", "url": "https://h.example/", "format": "MessageCard" } ] }"""),
        ("notifications format of another type", """
            { "notifications": [ { "name": "a", "url": "https://h.example/", "format": "adaptive-card" },
              { "name": "b", "type": "slack", "url": "https://h.example/", "format": "message-card" },
              { "name": "c", "type": "email", "email": { "host": "h", "from": "f", "to": ["t"] }, "format": null },
              { "name": "d", "type": "Teams", "url": "https://h.example/", "format": "message-card" } ] }
            """),
        ("events all bad", """{ "notifications": [ { "name": "a", "url": "https://h.example/", "events": ["x", 1, null] } ] }"""),
        ("route everything wrong", """
            { "defaults": { "route": { "agents": ["001", "001", "000", 5], "groups": ["a.b", "a b", "a.b", ""], "labels": { "k": "v", "k k": "v", "j": "v v", "l": null } } } }
            """),
        ("route errors suppress the empty error", """{ "defaults": { "route": { "manager": 1 } } }"""),
        ("route only a warning is kept", """{ "defaults": { "route": { "agents": ["001", "001"] } } }"""),
        ("route with a labels-only destination", """{ "responses": { "x": { "route": { "labels": { "env": "prod" } } } } }"""),
        ("response keys", """{ "responses": { "a b": {}, "-x": {}, "_x": { "dry_run": true }, "": {}, "x.y": [] } }"""),
        ("defaults and responses merge", """
            { "defaults": { "allowlist": ["10.0.0.0/8"], "dry_run": true, "max_new_per_minute": 3, "escalation": ["1m", 0, "x"], "notify": [] },
              "responses": { "a": { "allowlist": ["10.0.0.1"], "escalation": null, "route": null } } }
            """),
        ("allowlist warnings and errors", """{ "safety": { "allowlist": ["0.0.0.0/0", "10.0.0.1/8", "x", null, "::/0"] } }"""),
        ("ossec_conf items", """{ "wazuh": { "ossec_conf": ["a", "", 1, "b"] } }"""),
        ("ossec_conf only bad items", """{ "wazuh": { "ossec_conf": [""] } }"""),
        ("max int edge", """{ "execution": { "output_limit_bytes": 2147483647, "max_parallel": -99999999999999999999 } }"""),
        ("durations", """{ "execution": { "run_timeout": "1h30m", "control_line_timeout": "500ms" }, "fleet": { "command_ttl": 99999999999999999999 } }"""),
        ("durations negative huge", """{ "fleet": { "command_ttl": -99999999999999999999, "heartbeat": 1e3, "ack_wait": "30m1h" } }"""),
        ("repeated keys", """{ "home": "a", "home": 1, "fleet": { "role": "x" }, "fleet": { "role": "y" } }"""),
        ("odd-key paths", """{ "responses": { "a\"b": { "max_new_per_minute": "x" }, "é": { "notify": [1] } } }"""),
        ("everything valid", """
            { "home": "/h", "state": { "path": "s.db" }, "wazuh": { "ossec_conf": ["a", "b"] },
              "execution": { "max_parallel": 2, "control_line_timeout": "1s", "run_timeout": "2s", "output_limit_bytes": 0, "revert_on_shutdown": true },
              "repeated_offenders": { "mode": "decay", "forgive_after": "3d" },
              "defaults": { "allowlist": ["::1"], "dry_run": true, "max_new_per_minute": 9, "escalation": ["1m", "2m"], "notify": ["n"],
                            "route": { "all_agents": true, "manager": true, "alert_agent": true, "agents": ["002"], "groups": ["g"], "labels": { "k": "v" } } },
              "responses": { "firewall-drop600": { "dry_run": false, "notify": [] } },
              "safety": { "never_block_self": false, "allowlist": ["192.0.2.0/24"] },
              "notifications": [ { "name": "n", "url": "https://h.example/", "events": ["add"], "min_interval": "5s", "headers": { "X": "y" } } ],
              "fleet": { "role": "manager", "nats_url": "tls://127.0.0.1:4222", "credentials_file": "/c", "command_ttl": "2h", "node_name": "m-1",
                         "heartbeat": "3s", "ack_wait": "4s", "replicas": 5, "outcome_retention": "8d", "remoted_queue": "/q",
                         "tls_ca_file": "/ca", "tls_cert_file": "/cert", "tls_key_file": "/key" },
              "api": { "listen": "[::1]:9595", "token_file": "/t" }, "metrics": { "listen": "127.0.0.1:9596" } }
            """),
        ("root not an object", """ "x" """),
    ];

    public static TheoryData<string> CaseNames => [.. Cases().Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Binding_is_unchanged(string name)
    {
        var golden = Golden.Value;
        golden.ShouldContainKey(name, "RIPOSTE_WRITE_GOLDEN=1 adds new cases to the golden file");
        Render(Cases().Single(c => c.Name == name).Json).ShouldBe(golden[name]);
    }

    [Fact]
    public void Golden_file_matches_the_cases()
    {
        if (Environment.GetEnvironmentVariable("RIPOSTE_WRITE_GOLDEN") == "1")
        {
            var text = new StringBuilder();
            foreach (var (name, json) in Cases())
            {
                text.Append("### ").Append(name).Append('\n').Append(Render(json)).Append('\n');
            }

            File.WriteAllText(GoldenPath, text.ToString());
        }

        Golden.Value.Keys.ShouldBe(Cases().Select(c => c.Name), ignoreOrder: false);
    }

    private static readonly Lazy<Dictionary<string, string>> Golden = new(() =>
    {
        var cases = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        var body = new StringBuilder();
        foreach (string line in File.ReadAllText(GoldenPath).Split('\n'))
        {
            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                Flush();
                name = line[4..];
            }
            else
            {
                body.Append(line).Append('\n');
            }
        }

        Flush();
        return cases;

        void Flush()
        {
            if (name is not null)
            {
                cases.Add(name, body.ToString().TrimEnd('\n'));
            }

            body.Clear();
        }
    });

    private static IEnumerable<(string Name, string Json)> Cases()
    {
        foreach (var (key, template) in Keys)
        {
            foreach (string value in Values)
            {
                yield return ($"{key} = {value}", template.Replace("{0}", value, StringComparison.Ordinal));
            }
        }

        foreach (var document in Documents)
        {
            yield return document;
        }
    }

    /// <summary>The diagnostics and, when there are no errors, every bound value, one per line.</summary>
    private static string Render(string json)
    {
        var (settings, diagnostics) = RiposteSettingsReader.ReadText(json);
        var text = new StringBuilder();
        text.Append(json.Trim()).Append('\n');
        foreach (var diagnostic in diagnostics)
        {
            text.Append("  ").Append(diagnostic).Append('\n');
        }

        text.Append(settings is null ? "  => null" : Dump(settings));
        return text.ToString().TrimEnd('\n');
    }

    private static string Dump(RiposteSettings s)
    {
        var lines = new List<string>
        {
            $"home={s.Home}",
            $"state.path={s.State.Path}",
            $"wazuh.ossec_conf={List(s.Wazuh.OssecConf)}",
            $"execution={s.Execution.MaxParallel},{s.Execution.ControlLineTimeout},{s.Execution.RunTimeout},{s.Execution.OutputLimitBytes},{s.Execution.RevertOnShutdown}",
            $"repeated_offenders={s.RepeatedOffenders.Mode},{s.RepeatedOffenders.ForgiveAfter}",
            $"defaults={Policy(s.Defaults)}",
            $"safety={s.Safety.NeverBlockSelf},{List(s.Safety.Allowlist)}",
            $"fleet={s.Fleet.Role},{s.Fleet.NatsUrl},{s.Fleet.AgentId},{s.Fleet.CredentialsFile},{s.Fleet.CommandTtl},{s.Fleet.NodeName},"
                + $"{s.Fleet.Heartbeat},{s.Fleet.AckWait},{s.Fleet.Replicas},{s.Fleet.OutcomeRetention},{s.Fleet.RemotedQueue},"
                + $"{s.Fleet.TlsCaFile},{s.Fleet.TlsCertFile},{s.Fleet.TlsKeyFile}",
            $"api={s.Api.Listen},{s.Api.TokenFile}",
            $"metrics={s.Metrics.Listen}",
        };
        foreach (var (name, o) in s.Responses)
        {
            lines.Add($"responses[{name}]={List(o.Allowlist)},{o.DryRun},{o.MaxNewPerMinute},{Maybe(o.Escalation)},{Maybe(o.Notify)},{Route(o.Route)}");
        }

        foreach (var n in s.Notifications)
        {
            lines.Add($"notification={n.Name},{n.Url},{n.Events},{n.MinInterval},{Map(n.Headers)}");
            if (n.Type != NotificationType.Webhook || n.Responses.Count + n.Rules.Count + n.Agents.Count + n.MinSeverity + n.RateLimit > 0
                || n.Grouping != new NotificationGrouping() || n.Retry != new NotificationRetry() || n.MaxPending != 1000)
            {
                lines.Add($"  {n.Type},{List(n.Responses)},{List(n.Rules)},{List(n.Agents)},{n.MinSeverity},{n.Grouping.GroupWait},{n.Grouping.GroupInterval}," +
                    $"{n.Grouping.RepeatInterval},{n.RateLimit}/{n.RateInterval},{n.Retry.MaxAttempts},{n.Retry.BaseDelay},{n.Retry.MaxDelay},{n.MaxPending}" +
                    (n.Email is { } e ? $",smtp={e.Host}:{e.Port},{e.StartTls},{e.User},{e.PasswordFile},ca={e.CaFile},{e.From},{List(e.To)}" : "") +
                    (n.Syslog is { } y ? $",syslog={y.Address},{y.Facility}" : "") +
                    (n.Type == NotificationType.Teams ? $",format={n.Format}" : ""));
            }
        }

        return string.Concat(lines.Select(l => "  " + l + "\n"));

        static string Policy(ResponsePolicy p) =>
            $"{List(p.Allowlist)},{p.DryRun},{p.MaxNewPerMinute},{Maybe(p.Escalation)},{List(p.Notify)},{Route(p.Route)}";

        static string Route(FleetRoute? r) => r is null ? "-"
            : $"route({List(r.Agents)},{List(r.Groups)},{Map(r.Labels)},{r.Manager},{r.AllAgents},{r.AlertAgent})";

        static string Maybe<T>(IReadOnlyList<T>? items) => items is null ? "-" : List(items);

        static string List<T>(IEnumerable<T> items) => "[" + string.Join(" ", items.Select(i => Convert.ToString(i, CultureInfo.InvariantCulture))) + "]";

        static string Map(IReadOnlyDictionary<string, string> map) =>
            "{" + string.Join(" ", map.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}:{m.Value}")) + "}";
    }
}
