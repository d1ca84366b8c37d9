namespace Riposte.Cli.ScriptTest;

/// <summary>
/// Every finding <c>riposte script-test</c> can report. The codes are a contract (scripts and CI grep for them);
/// the sentences explain the consequence under wazuh-execd (spec §5.3–5.5), which is what a script author needs.
/// </summary>
internal static class Findings
{
    private const FindingSeverity E = FindingSeverity.Error;
    private const FindingSeverity W = FindingSeverity.Warning;
    private const string KeysLost = "execd then ignores the line, so the keys are lost and the rkey is the bare program name";

    /// <summary>posix_spawn failed (missing interpreter, not executable...).</summary>
    public static readonly FindingKind SpawnFailed = new("spawn-failed", E,
        "the program could not be started the way execd starts it");

    /// <summary>A stateful program printed nothing on stdout.</summary>
    public static readonly FindingKind NoControlLine = new("no-control-line", E,
        "the program printed nothing on stdout, so execd never adds it to the timeout list and it never receives delete");

    /// <summary>No output within the limit, and closing stdin made the program move: it waits for EOF.</summary>
    public static readonly FindingKind ReadsStdinToEof = new("reads-stdin-to-eof", E,
        "the program reads stdin to end of file, but execd never closes stdin after the first line: under Wazuh the program and execd wait for each other forever, and every later response waits behind them; read exactly one line (read -r line, sys.stdin.readline())");

    /// <summary>The control line ended at EOF or never ended.</summary>
    public static readonly FindingKind NoNewline = new("no-newline", E,
        "the control line was not terminated by a newline; execd waits for one");

    /// <summary>Other output came before the JSON line.</summary>
    public static readonly FindingKind StdoutNoise = new("stdout-noise", E,
        "the program printed something else before its JSON control line; execd takes whatever comes first as the control line, so the keys are lost and the rkey is the bare program name");

    /// <summary>The control line is not a JSON object.</summary>
    public static readonly FindingKind BadJson = new("bad-json", E,
        $"the control line is not a JSON object; {KeysLost}");

    /// <summary><c>version</c> is not a number.</summary>
    public static readonly FindingKind VersionNotNumber = new("version-not-number", E,
        $"'version' must be a number; {KeysLost}");

    /// <summary><c>origin</c> is not an object.</summary>
    public static readonly FindingKind OriginNotObject = new("origin-not-object", E,
        $"'origin' must be an object; {KeysLost}");

    /// <summary><c>command</c> is not a string.</summary>
    public static readonly FindingKind CommandNotString = new("command-not-string", E,
        $"'command' must be a string; {KeysLost}");

    /// <summary><c>parameters</c> is not an object.</summary>
    public static readonly FindingKind ParametersNotObject = new("parameters-not-object", E,
        $"'parameters' must be an object; {KeysLost}");

    /// <summary><c>command</c> is a string other than check_keys.</summary>
    public static readonly FindingKind NotCheckKeys = new("not-check-keys", E,
        $"'command' must be \"check_keys\"; {KeysLost}");

    /// <summary><c>parameters.keys</c> is missing or not an array.</summary>
    public static readonly FindingKind KeysNotArray = new("keys-not-array", E,
        $"'parameters.keys' must be an array of strings; {KeysLost}");

    /// <summary>Some keys are not strings.</summary>
    public static readonly FindingKind KeysNotStrings = new("keys-not-strings", E,
        "every key must be a string; execd skips the others, so they are not part of the rkey");

    /// <summary>An empty keys array.</summary>
    public static readonly FindingKind KeysEmpty = new("keys-empty", W,
        "'parameters.keys' is empty; every run of this program shares the bare program name as rkey, so different targets abort each other");

    /// <summary>The two adds of the same alert gave different keys.</summary>
    public static readonly FindingKind KeysDiffer = new("keys-differ", E,
        "the second add of the same alert printed different keys; the rkey changes, so execd never recognises the repeat, never answers abort, and keeps one timeout entry per run");

    /// <summary>The control line exceeds execd's fgets buffer.</summary>
    public static readonly FindingKind LineTooLong = new("line-too-long", E,
        "the control line is longer than the 8191 bytes execd reads; it sees the line cut there, which is not valid JSON");

    /// <summary>A stateful program exited before it could read the answer.</summary>
    public static readonly FindingKind NoWaitForAnswer = new("no-wait-for-answer", E,
        "the program exited right after its control line without reading execd's answer, so it cannot honour abort");

    /// <summary>The control line came late (but within the limit).</summary>
    public static readonly FindingKind SlowStart = new("slow-start", W,
        "the control line took more than 100 ms; execd runs one program at a time, so every other response waits for it");

    /// <summary>A step exceeded the time limit.</summary>
    public static readonly FindingKind Timeout = new("timeout", E,
        "the step did not finish within the time limit; execd has no limit and would wait forever, stalling every other response");

    /// <summary>A non-zero exit code.</summary>
    public static readonly FindingKind NonzeroExit = new("nonzero-exit", E,
        "the program exited with a non-zero code; stock programs exit 0 when they act, abort or delete (execd ignores the code, so a failure goes unnoticed)");

    /// <summary>A signal ended the program (not our kill).</summary>
    public static readonly FindingKind KilledBySignal = new("killed-by-signal", E,
        "the program was killed by a signal");

    /// <summary>Anything on stderr.</summary>
    public static readonly FindingKind StderrOutput = new("stderr-output", W,
        "the program wrote to stderr; execd sends stderr to /dev/null, so under Wazuh nobody sees it (write to logs/active-responses.log instead)");

    /// <summary>More stdout after the control line.</summary>
    public static readonly FindingKind ExtraStdout = new("extra-stdout", W,
        "the program wrote more to stdout after its control line; execd reads one line and closes the pipe after answering, so later writes are lost or kill the program with SIGPIPE");

    /// <summary>Program log lines Wazuh's decoders would not parse.</summary>
    public static readonly FindingKind LogFormat = new("log-format", W,
        "lines in logs/active-responses.log do not start with 'YYYY/MM/DD HH:MM:SS active-response/bin/<name>: ', so Wazuh's decoder ar_log_json and rules 650-658 do not see them");

    /// <summary>Every kind, for documentation and tests.</summary>
    public static IReadOnlyList<FindingKind> All { get; } =
    [
        SpawnFailed, NoControlLine, ReadsStdinToEof, NoNewline, StdoutNoise, BadJson, VersionNotNumber, OriginNotObject,
        CommandNotString, ParametersNotObject, NotCheckKeys, KeysNotArray, KeysNotStrings, KeysEmpty, KeysDiffer,
        LineTooLong, NoWaitForAnswer, SlowStart, Timeout, NonzeroExit, KilledBySignal, StderrOutput, ExtraStdout, LogFormat,
    ];
}
