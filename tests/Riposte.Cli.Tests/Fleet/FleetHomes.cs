using Riposte.Fleet.Registry;

namespace Riposte.Fleet;

/// <summary>
/// Homes for a manager and its agents on this machine: each agent has the events program (it appends "add IP" to
/// its home's events file), an ar.conf as the manager would push it, and settings with short fleet timings.
/// </summary>
internal sealed class FleetHomes : IDisposable
{
    private readonly List<TestHome> _homes = [];

    public FleetHomes(string managerBlocks, string managerSettings = "", int commandTtlSeconds = 3600)
    {
        Manager = new TestHome();
        _homes.Add(Manager);
        File.WriteAllText(Manager.Config, $"""
            <ossec_config>
              <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
              {managerBlocks}
            </ossec_config>
            """);
        File.WriteAllText(System.IO.Path.Combine(Manager.Path, "etc", "riposte.json"), $$"""
            { "safety": { "never_block_self": false }, "fleet": { "command_ttl": "{{commandTtlSeconds}}s", "node_name": "m1" }{{managerSettings}} }
            """);
    }

    public TestHome Manager { get; }

    /// <summary>A new agent home; <paramref name="arNames"/> are the AR names its ar.conf knows (all run firewall-drop).</summary>
    public TestHome AddAgentHome(string[] arNames, string execution = "")
    {
        var home = new TestHome();
        _homes.Add(home);
        File.WriteAllText(home.Config, "<ossec_config><active-response><disabled>no</disabled></active-response></ossec_config>\n");
        Directory.CreateDirectory(System.IO.Path.Combine(home.Path, "etc", "shared"));
        File.WriteAllLines(System.IO.Path.Combine(home.Path, "etc", "shared", "ar.conf"),
            arNames.Select(n => $"{n} - firewall-drop - {new string([.. n.Reverse().TakeWhile(char.IsAsciiDigit).Reverse()])}"));
        File.WriteAllText(System.IO.Path.Combine(home.Path, "etc", "riposte.json"), $$"""
            { "safety": { "never_block_self": false }, "fleet": { "ack_wait": "3s", "heartbeat": "1s" }{{(execution.Length > 0 ? $", \"execution\": {{ {execution} }}" : "")}} }
            """);
        return home;
    }

    /// <summary>Enrols agents in the manager's registry (as <c>riposte fleet add-agent</c> would).</summary>
    public void Enrol(params EnrolledAgent[] agents)
    {
        var paths = FleetPaths.For(Manager.Path, System.IO.Path.Combine(Manager.Path, "var", "riposte", "state.db"));
        Directory.CreateDirectory(paths.Directory);
        var registry = AgentRegistry.Load(paths.Registry);
        foreach (var agent in agents)
        {
            registry = registry.With(agent);
        }

        File.WriteAllText(paths.Registry, registry.ToJson());
    }

    public static EnrolledAgent Agent(string id, params string[] groups) => new(id, groups, new Dictionary<string, string>());

    /// <summary>An alert from <paramref name="agent"/> for rule <paramref name="rule"/> about <paramref name="srcip"/>.</summary>
    public void Alert(string rule, string agent, string srcip, string id) =>
        File.AppendAllText(Manager.Alerts,
            $$$"""{"timestamp":"2026-12-02T01:00:00.000+0000","rule":{"level":10,"id":"{{{rule}}}","groups":["sshd"]},"agent":{"id":"{{{agent}}}","name":"host{{{agent}}}"},"manager":{"name":"m1"},"id":"{{{id}}}","data":{"srcip":"{{{srcip}}}"}}""" + "\n");

    public DaemonProcess StartManager(string nats, params string[] extra) =>
        DaemonProcess.Start([.. (string[])["--home", Manager.Path, "--alerts", Manager.Alerts, "--from-start", "--nats", nats], .. extra]);

    public static DaemonProcess StartAgent(TestHome home, string id, string nats, params string[] extra) =>
        DaemonProcess.StartAgent([.. (string[])["--home", home.Path, "--id", id, "--nats", nats], .. extra]);

    public static int Adds(TestHome home, string ip) => home.Events().Count(e => e == $"add {ip}");

    /// <summary>Asserts that each of <paramref name="ips"/> was added exactly once on <paramref name="home"/>.</summary>
    public static void ShouldEachBeAddedOnce(TestHome home, IEnumerable<string> ips, string context)
    {
        var events = home.Events();
        foreach (var ip in ips)
        {
            events.Count(e => e == $"add {ip}").ShouldBe(1, $"{ip}\n{string.Join("\n", events)}\n{context}");
        }
    }

    /// <summary>Polls the manager's <c>history</c> (optionally for one agent) until it holds every one of <paramref name="texts"/>.</summary>
    public static async Task<string> WaitForHistoryAsync(TestHome manager, string? agent, int timeoutMs, params string[] texts)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            var history = await CliRunner.RunAsync(agent is null ? ["history", "--home", manager.Path] : ["history", "--home", manager.Path, "--agent", agent]);
            if (texts.All(t => history.Out.Contains(t, StringComparison.Ordinal)))
            {
                return history.Out;
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"no {string.Join(", ", texts)} in the manager's history:\n{history.Out}\n{history.Error}");
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    public void Dispose()
    {
        foreach (var home in _homes)
        {
            home.Dispose();
        }
    }
}
