using System.Text;
using Microsoft.Extensions.Time.Testing;
using Riposte.Config;
using Riposte.Execution;
using Riposte.Protocol.Execd;
using Riposte.State;

namespace Riposte.Engine;

/// <summary>A temp Wazuh home with real programs, a real SQLite state file and an engine whose clock the test drives.</summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private EngineHarness(string home, FakeTimeProvider time)
    {
        Home = home;
        Time = time;
    }

    public string Home { get; }

    public FakeTimeProvider Time { get; }

    public SqliteStateStore Store { get; private set; } = null!;

    public ResponseEngine Engine { get; private set; } = null!;

    public string Recorded => Path.Combine(Home, "recorded");

    /// <summary>
    /// A stateful program in the stock programs' style: records each stdin line (in call order) and answers check_keys
    /// with the alert's srcip.
    /// </summary>
    public const string RecordingProgram = """
        #!/bin/bash
        dir="$PWD/recorded"; mkdir -p "$dir"
        call="$(date +%s%N)-$$"
        IFS= read -r line1
        printf '%s\n' "$line1" > "$dir/$call.1"
        case "$line1" in
          *'"command":"add"'*)
            ip=$(printf '%s' "$line1" | sed -n 's/.*"srcip":"\([^"]*\)".*/\1/p')
            printf '{"version":1,"origin":{"name":"%s","module":"active-response"},"command":"check_keys","parameters":{"keys":["%s"]}}\n' "$(basename "$0")" "$ip"
            IFS= read -r line2
            printf '%s\n' "$line2" > "$dir/$call.2"
            ;;
        esac
        """;

    public static async Task<EngineHarness> CreateAsync(string ossecConf, Func<EngineOptions, EngineOptions>? configure = null, FakeTimeProvider? time = null)
    {
        var home = Directory.CreateTempSubdirectory("riposte-engine-").FullName;
        Directory.CreateDirectory(Path.Combine(home, "active-response", "bin"));
        Directory.CreateDirectory(Path.Combine(home, "logs"));
        var harness = new EngineHarness(home, time ?? new FakeTimeProvider(new DateTimeOffset(2025, 11, 27, 10, 0, 0, TimeSpan.Zero)));
        await harness.StartAsync(ossecConf, configure);
        return harness;
    }

    public async Task StartAsync(string ossecConf, Func<EngineOptions, EngineOptions>? configure = null)
    {
        var config = OssecConfigReader.ReadText(ossecConf).Config ?? throw new InvalidOperationException("bad test config");
        var options = new EngineOptions
        {
            Home = Home,
            MaxParallel = 4,
            Limits = new ProgramLimits(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), 4096),
            RepeatedOffenders = config.Execd.RepeatedOffenders,
            DeleteRetryDelay = TimeSpan.FromSeconds(30),
        };
        options = configure?.Invoke(options) ?? options;
        Store = await SqliteStateStore.OpenAsync(Path.Combine(Home, "riposte", "state.db"), Time, TestContext.Current.CancellationToken);
        Engine = new ResponseEngine(options, ArCommandTable.FromConfig(Home, config), Store, new ProgramRunner(TimeProvider.System), Time);
        await Engine.StartAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Stops the engine and closes the store, as a clean shutdown would.</summary>
    public async Task StopAsync()
    {
        await Engine.StopAsync(TestContext.Current.CancellationToken);
        await Engine.DisposeAsync();
        await Store.DisposeAsync();
    }

    public void WriteProgram(string name, string script)
    {
        var path = Path.Combine(Home, "active-response", "bin", name);
        File.WriteAllText(path, script.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    public Task<ExecOutcome> ExecAsync(string body) =>
        Engine.ExecuteAsync(new ExecRequest(Encoding.UTF8.GetBytes(body), "test"), TestContext.Current.CancellationToken);

    /// <summary>Every recorded stdin line, in call order: (call, line number, text).</summary>
    public List<(string Call, int Line, string Text)> Calls()
    {
        if (!Directory.Exists(Recorded))
        {
            return [];
        }

        return [.. Directory.GetFiles(Recorded)
            .Select(f => (Call: Path.GetFileNameWithoutExtension(f), Line: int.Parse(Path.GetExtension(f)[1..], System.Globalization.CultureInfo.InvariantCulture), Text: File.ReadAllText(f).TrimEnd('\n')))
            .OrderBy(c => c.Call, StringComparer.Ordinal).ThenBy(c => c.Line)];
    }

    /// <summary>Advances the fake clock and waits until the engine has run what became due.</summary>
    public async Task AdvanceAsync(TimeSpan by, Func<bool> until)
    {
        Time.Advance(by);
        await WaitForAsync(until);
    }

    public static async Task WaitForAsync(Func<bool> condition, int timeoutMs = 10_000)
    {
        var start = Environment.TickCount64;
        while (!condition())
        {
            if (Environment.TickCount64 - start > timeoutMs)
            {
                throw new TimeoutException("condition not met in time");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Engine.DisposeAsync();
            await Store.DisposeAsync();
        }
        catch (ObjectDisposedException)
        {
        }

        Directory.Delete(Home, true);
    }

    /// <summary>An ossec.conf with one stateful command (timeout 600 unless given) on the given program.</summary>
    public static string Conf(string program = "firewall-drop", int timeout = 600, string extra = "") => $"""
        <ossec_config>
          <command><name>{program}</name><executable>{program}</executable><timeout_allowed>yes</timeout_allowed></command>
          <active-response><command>{program}</command><location>local</location><level>3</level><timeout>{timeout}</timeout></active-response>
          <active-response><command>{program}</command><location>local</location><level>3</level></active-response>
          {extra}
        </ossec_config>
        """;

    /// <summary>An analysisd body for <paramref name="arName"/> with a minimal alert from <paramref name="srcip"/>.</summary>
    public static string Body(string arName, string srcip, string alertId = "1.1") =>
        "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-analysisd\"},\"command\":\"" + arName +
        "\",\"parameters\":{\"extra_args\":[],\"alert\":{\"rule\":{\"level\":10,\"id\":\"5712\"},\"id\":\"" + alertId +
        "\",\"data\":{\"srcip\":\"" + srcip + "\"}}}}";
}
