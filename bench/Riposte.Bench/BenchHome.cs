using System.Text;
using Riposte.Engine;
using Riposte.Execution;
using Riposte.Protocol;
using Riposte.Protocol.Execd;
using Riposte.State;

namespace Riposte.Bench;

/// <summary>
/// A throw-away Wazuh home (<c>active-response/bin</c>, <c>logs</c>, <c>riposte/state.db</c>) with an engine built as
/// <c>serve</c> builds it (real clock, real SQLite file, default limits). Disposal stops everything and deletes the home.
/// </summary>
internal sealed class BenchHome : IAsyncDisposable
{
    /// <summary>Programs and requests in flight at once on both sides: the shipped default of <c>execution.max_parallel</c>.</summary>
    public const int Parallelism = 8;

    /// <summary>
    /// Reads the message and prints nothing, as the lightest real program does. /bin/sh (dash on Debian) rather than
    /// bash: it starts faster, so the engine's own cost is a larger share of each run and harder to hide.
    /// </summary>
    public const string StatelessProgram = "#!/bin/sh\nIFS= read -r line\n";

    /// <summary>
    /// The stock programs' handshake in plain sh (no sed, no date: every extra process would dilute the engine's
    /// share): answers an add with check_keys carrying the alert's srcip, then reads the engine's answer.
    /// </summary>
    public const string StatefulProgram = """
        #!/bin/sh
        IFS= read -r line
        case "$line" in
          *'"command":"add"'*)
            ip=${line#*'"srcip":"'}
            ip=${ip%%'"'*}
            printf '{"version":1,"origin":{"name":"firewall-drop","module":"active-response"},"command":"check_keys","parameters":{"keys":["%s"]}}\n' "$ip"
            IFS= read -r answer
            ;;
        esac
        """;

    private BenchHome(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public string StatePath => System.IO.Path.Combine(Path, "riposte", "state.db");

    public SqliteStateStore? Store { get; private set; }

    public ResponseEngine? Engine { get; private set; }

    public static BenchHome Create()
    {
        var home = new BenchHome(Directory.CreateTempSubdirectory("riposte-bench-").FullName);
        Directory.CreateDirectory(System.IO.Path.Combine(home.Path, ArCommandTable.BinDirectory));
        Directory.CreateDirectory(System.IO.Path.Combine(home.Path, "logs"));
        return home;
    }

    /// <summary>Writes an executable program and returns its path relative to the home, as execd names it.</summary>
    public string WriteProgram(string name, string script)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Riposte runs response programs on Linux only.");
        }

        var path = System.IO.Path.Combine(Path, ArCommandTable.BinDirectory, name);
        File.WriteAllText(path, script.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return $"{ArCommandTable.BinDirectory}/{name}";
    }

    /// <summary>Opens the state file and starts an engine over ar.conf lines <c>(AR name, executable, timeout)</c>.</summary>
    public async Task<ResponseEngine> StartEngineAsync(IEnumerable<(string Name, string Executable, int Timeout)> arConf)
    {
        Store = await SqliteStateStore.OpenAsync(StatePath, TimeProvider.System);
        var options = new EngineOptions { Home = Path, MaxParallel = Parallelism };
        Engine = new ResponseEngine(options, new ArCommandTable(Path, arConf), Store, new ProgramRunner(TimeProvider.System), TimeProvider.System);
        await Engine.StartAsync(CancellationToken.None);
        return Engine;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Engine is not null)
            {
                await Engine.StopAsync(CancellationToken.None);
                await Engine.DisposeAsync();
            }

            if (Store is not null)
            {
                await Store.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    /// <summary>
    /// The body analysisd puts on the exec queue for <paramref name="arName"/>: a realistic sshd brute-force alert
    /// (about 1 KiB, like the ones in alerts.json) from <paramref name="srcip"/>, built by the same code as Riposte's.
    /// </summary>
    public static byte[] AnalysisdBody(string arName, string srcip, int index)
    {
        var alert = $$"""
            {"timestamp":"2025-11-27T10:11:57.123+0000","rule":{"level":10,"description":"sshd: brute force trying to get access to the system. Non existent user.","id":"5712","mitre":{"id":["T1110"],"tactic":["Credential Access"],"technique":["Brute Force"]},"frequency":8,"firedtimes":{{1 + (index % 50)}},"mail":false,"groups":["syslog","sshd","authentication_failures"],"gdpr":["IV_35.7.d","IV_32.2"],"hipaa":["164.312.b"],"nist_800_53":["SI.4","AU.14","AC.7"],"pci_dss":["11.4","10.2.4","10.2.5"],"tsc":["CC6.1","CC6.8","CC7.2","CC7.3"]},"agent":{"id":"000","name":"wazuh-manager"},"manager":{"name":"wazuh-manager"},"id":"1764238317.{{100000 + index}}","previous_output":"Nov 27 10:11:50 web-01 sshd[24500]: Invalid user admin from {{srcip}} port 52300\nNov 27 10:11:51 web-01 sshd[24501]: Invalid user root from {{srcip}} port 52301","full_log":"Nov 27 10:11:57 web-01 sshd[24507]: Invalid user oracle from {{srcip}} port 52307","predecoder":{"program_name":"sshd","timestamp":"Nov 27 10:11:57","hostname":"web-01"},"decoder":{"parent":"sshd","name":"sshd"},"data":{"srcip":"{{srcip}}","srcport":"52307","srcuser":"oracle"},"location":"/var/log/auth.log"}
            """;
        return ArMessageBuilder.Build("node01", ArMessageBuilder.AnalysisdModule, arName, [], Encoding.UTF8.GetBytes(alert));
    }

    /// <summary>A distinct IPv4 source per index (131 072 of them), from 198.18.0.0/15, the range RFC 2544 sets aside for benchmarks.</summary>
    public static string SourceIp(int index) => $"198.{18 + ((index >> 16) & 1)}.{(index >> 8) & 255}.{index & 255}";

    /// <summary>The message as execd edits it for <paramref name="program"/>; its <c>With</c> gives the lines the engine writes.</summary>
    public static ExecdMessage PreparedMessage(byte[] body, string program)
    {
        if (!ExecdMessage.TryParse(body, out var message, out var error))
        {
            throw new InvalidOperationException(error);
        }

        message!.PrepareForProgram(program);
        return message;
    }

    /// <summary>Fails the benchmark loudly rather than timing a failure path.</summary>
    public static async Task ExpectAsync(Task<ExecOutcome> run, ExecResult expected)
    {
        var outcome = await run;
        if (outcome.Result != expected)
        {
            throw new InvalidOperationException($"expected {expected}, got {outcome.Result}: {outcome.Detail}");
        }
    }
}
