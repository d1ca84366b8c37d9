using System.Text.Json;

namespace Riposte.Cli.Doctor;

/// <summary>
/// A <see cref="TestHome"/> plus a tools directory the doctor's tool probes are pointed at (<c>--tool-path</c>), holding
/// harmless stand-ins for nft, ipset, iptables and ip6tables: the result does not depend on what this machine has
/// installed, and no probe ever reaches the real firewall.
/// </summary>
internal sealed class DoctorHome : IDisposable
{
    private const string Tool = """
        #!/bin/sh
        # A stand-in: answers the doctor's read-only probes like a working tool on an nf_tables kernel.
        case "$1" in
          --version) echo "$(basename "$0") v1.8.9 (nf_tables)" ;;
        esac
        exit 0
        """;

    public DoctorHome()
    {
        Tools = Directory.CreateTempSubdirectory("riposte-doctor-tools-").FullName;
        foreach (var name in new[] { "nft", "ipset", "iptables", "ip6tables" })
        {
            WriteTool(name, Tool);
        }
    }

    public TestHome Home { get; } = new();

    public string Path => Home.Path;

    /// <summary>The directory given as <c>--tool-path</c>.</summary>
    public string Tools { get; }

    public string StatePath => System.IO.Path.Combine(Path, "riposte", "state.db");

    public string Bin => System.IO.Path.Combine(Path, "active-response", "bin");

    public void WriteTool(string name, string script)
    {
        var path = System.IO.Path.Combine(Tools, name);
        File.WriteAllText(path, script.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    public void RemoveTool(string name) => File.Delete(System.IO.Path.Combine(Tools, name));

    /// <summary>Creates the state database the real way: one <c>serve --until-idle</c> run over one alert.</summary>
    public async Task CreateStateAsync()
    {
        Home.AppendAlert("192.0.2.77", "9.1");
        var serve = await CliRunner.RunProcessAsync(["serve", "--home", Path, "--alerts", Home.Alerts, "--from-start", "--until-idle"]);
        serve.ExitCode.ShouldBe(0, serve.Error);
        File.Exists(StatePath).ShouldBeTrue();
    }

    /// <summary>Runs <c>riposte doctor</c> in-process on this home.</summary>
    public Task<CliRunner.Result> RunAsync(params string[] extra) =>
        CliRunner.RunAsync(["doctor", "--home", Path, "--tool-path", Tools, .. extra]);

    /// <summary>Runs <c>riposte doctor --format json</c> and returns the exit code and the parsed report.</summary>
    public async Task<(int Exit, Report Report)> RunJsonAsync(params string[] extra)
    {
        var result = await RunAsync(["--format", "json", .. extra]);
        return (result.ExitCode, new Report(JsonDocument.Parse(result.Out).RootElement.Clone(), result.Out));
    }

    public void Dispose()
    {
        Home.Dispose();
        Directory.Delete(Tools, recursive: true);
    }

    /// <summary>A parsed JSON report.</summary>
    internal sealed record Report(JsonElement Root, string Text)
    {
        public IEnumerable<JsonElement> Checks => Root.GetProperty("checks").EnumerateArray();

        /// <summary>The results of check <paramref name="check"/> with status <paramref name="status"/>.</summary>
        public List<JsonElement> With(string check, string status) =>
            [.. Checks.Where(c => c.GetProperty("check").GetString() == check && c.GetProperty("status").GetString() == status)];

        public List<JsonElement> Failures => [.. Checks.Where(c => c.GetProperty("status").GetString() == "fail")];

        /// <summary>The single result about <paramref name="subject"/> in check <paramref name="check"/>.</summary>
        public JsonElement One(string check, string subject) =>
            Checks.Where(c => c.GetProperty("check").GetString() == check && c.GetProperty("subject").GetString() == subject).ShouldHaveSingleItem(Text);
    }
}
