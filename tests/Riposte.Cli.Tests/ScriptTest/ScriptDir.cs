using System.Text.Json;

namespace Riposte.Cli.ScriptTest;

/// <summary>A temp directory of deliberately written response programs, and a way to run script-test on them.</summary>
internal sealed class ScriptDir : IDisposable
{
    /// <summary>A valid check_keys line for the default alert's srcip.</summary>
    public const string CheckKeys = """{"version":1,"origin":{"name":"test","module":"active-response"},"command":"check_keys","parameters":{"keys":["203.0.113.45"]}}""";

    /// <summary>
    /// A conforming stateful bash program: reads exactly one line, answers check_keys with the srcip, reads the
    /// answer, logs like the helper library, exits 0.
    /// </summary>
    public const string ConformingBash = """
        #!/bin/bash
        log() { echo "$(date '+%Y/%m/%d %H:%M:%S') $0: $1" >> logs/active-responses.log; }
        log "Starting"
        IFS= read -r line1
        log "$line1"
        ip=$(printf '%s' "$line1" | sed -n 's/.*"srcip":"\([^"]*\)".*/\1/p')
        case "$line1" in
          *'"command":"add"'*)
            printf '{"version":1,"origin":{"name":"%s","module":"active-response"},"command":"check_keys","parameters":{"keys":["%s"]}}\n' "$(basename "$0")" "$ip"
            IFS= read -r line2
            log "$line2"
            case "$line2" in *'"command":"abort"'*) log "Aborted"; exit 0 ;; esac
            ;;
        esac
        log "Ended"
        exit 0
        """;

    public ScriptDir() => Path = Directory.CreateTempSubdirectory("riposte-scripts-").FullName;

    public string Path { get; }

    /// <summary>Writes an executable program; the text is used as is (so give it its #! line).</summary>
    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    /// <summary>A bash program made of <paramref name="body"/>.</summary>
    public string Bash(string name, string body) => Write(name, "#!/bin/bash\n" + body);

    /// <summary>A python3 program made of <paramref name="body"/>.</summary>
    public string Python(string name, string body) => Write(name, "#!/usr/bin/env python3\n" + body);

    public void Dispose() => Directory.Delete(Path, true);

    /// <summary>Runs <c>riposte script-test PROGRAM --format json</c> with <paramref name="extra"/> options.</summary>
    public static async Task<Outcome> RunAsync(string program, params string[] extra)
    {
        var result = await CliRunner.RunAsync(["script-test", program, "--format", "json", .. extra]);
        return new Outcome(result);
    }

    /// <summary>A script-test JSON report.</summary>
    public sealed class Outcome
    {
        public Outcome(CliRunner.Result result)
        {
            Result = result;
            if (result.ExitCode != 1)
            {
                Json = JsonDocument.Parse(result.Out).RootElement.Clone();
            }
        }

        public CliRunner.Result Result { get; }

        public JsonElement Json { get; }

        public int ExitCode => Result.ExitCode;

        public IEnumerable<JsonElement> Findings => Json.GetProperty("findings").EnumerateArray();

        public string[] Errors => Codes("error");

        public string[] Warnings => Codes("warning");

        public JsonElement Step(int number) => Json.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("step").GetInt32() == number);

        /// <summary>The first finding with <paramref name="code"/> (the same code may come with other details in other steps).</summary>
        public JsonElement Finding(string code) => Findings.First(f => f.GetProperty("code").GetString() == code);

        /// <summary>For assertion messages: the whole report.</summary>
        public override string ToString() => Result.Out + Result.Error;

        private string[] Codes(string severity) =>
            [.. Findings.Where(f => f.GetProperty("severity").GetString() == severity).Select(f => f.GetProperty("code").GetString()!)];
    }
}
