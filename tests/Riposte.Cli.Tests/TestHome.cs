namespace Riposte;

/// <summary>A temp Wazuh home with an events-recording program and a one-command ossec.conf.</summary>
internal sealed class TestHome : IDisposable
{
    /// <summary>
    /// A stateful program that answers check_keys with the srcip and appends "add IP", "abort IP" or "delete IP" to
    /// HOME/events (one line per effect), so tests can count effects.
    /// </summary>
    public const string EventsProgram = """
        #!/bin/bash
        IFS= read -r line1
        ip=$(printf '%s' "$line1" | sed -n 's/.*"srcip":"\([^"]*\)".*/\1/p')
        case "$line1" in
          *'"command":"add"'*)
            printf '{"version":1,"origin":{"name":"firewall-drop","module":"active-response"},"command":"check_keys","parameters":{"keys":["%s"]}}\n' "$ip"
            IFS= read -r line2
            case "$line2" in
              *'"command":"continue"'*) echo "add $ip" >> "$PWD/events" ;;
              *) echo "abort $ip" >> "$PWD/events" ;;
            esac
            ;;
          *'"command":"delete"'*) echo "delete $ip" >> "$PWD/events" ;;
        esac
        """;

    public TestHome(int timeout = 600)
    {
        Path = Directory.CreateTempSubdirectory("riposte-home-").FullName;
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "active-response", "bin"));
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "etc"));
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "logs", "alerts"));
        WriteProgram("firewall-drop", EventsProgram);
        WriteConfig(timeout);

        // These tests are about the engine, not the safety rails, and test addresses may be this machine's own
        // (CI hosts use documentation ranges too); the rails have their own tests.
        File.WriteAllText(System.IO.Path.Combine(Path, "etc", "riposte.json"), """{ "safety": { "never_block_self": false } }""");
        File.WriteAllText(Alerts, "");
    }

    public string Path { get; }

    public string Alerts => System.IO.Path.Combine(Path, "logs", "alerts", "alerts.json");

    public string Config => System.IO.Path.Combine(Path, "etc", "ossec.conf");

    public void WriteConfig(int timeout, string extra = "") => File.WriteAllText(Config, $"""
        <ossec_config>
          <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
          <active-response><command>firewall-drop</command><location>local</location><rules_id>5712</rules_id><timeout>{timeout}</timeout></active-response>
          {extra}
        </ossec_config>
        """);

    public void WriteProgram(string name, string script)
    {
        var path = System.IO.Path.Combine(Path, "active-response", "bin", name);
        File.WriteAllText(path, script.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    public void AppendAlert(string srcip, string id) =>
        File.AppendAllText(Alerts, $$$"""{"rule":{"level":10,"id":"5712","groups":["sshd"]},"agent":{"id":"001","name":"web"},"id":"{{{id}}}","data":{"srcip":"{{{srcip}}}"}}""" + "\n");

    public string[] Events()
    {
        var path = System.IO.Path.Combine(Path, "events");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    public static async Task WaitForAsync(Func<bool> condition, string what, int timeoutMs = 20_000)
    {
        var start = Environment.TickCount64;
        while (!condition())
        {
            if (Environment.TickCount64 - start > timeoutMs)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public void Dispose() => Directory.Delete(Path, true);
}
