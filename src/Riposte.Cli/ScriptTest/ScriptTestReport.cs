namespace Riposte.Cli.ScriptTest;

/// <summary>Which way a line went.</summary>
internal enum LineDirection
{
    /// <summary>Written to the program's stdin (what execd sends).</summary>
    ToProgram,

    /// <summary>Read from the program's stdout.</summary>
    FromProgram,
}

/// <summary>One line exchanged with the program.</summary>
/// <param name="Direction">Which way it went.</param>
/// <param name="Text">The line without its newline (UTF-8, invalid bytes replaced).</param>
/// <param name="At">When, relative to the spawn.</param>
/// <param name="Note">How it ended or why it matters (no newline, after stdin was closed...); null for a plain line.</param>
internal sealed record ExchangedLine(LineDirection Direction, string Text, TimeSpan At, string? Note = null);

/// <summary>What happened in one step (one run of the program).</summary>
internal sealed class StepReport
{
    /// <summary>Creates step <paramref name="number"/>.</summary>
    public StepReport(int number, string name, string command, string? answer)
    {
        Number = number;
        Name = name;
        Command = command;
        Answer = answer;
    }

    /// <summary>1-based position.</summary>
    public int Number { get; }

    /// <summary>For people: <c>add #1</c>, <c>add #2</c>, <c>delete</c>.</summary>
    public string Name { get; }

    /// <summary>The command sent first: <c>add</c> or <c>delete</c>.</summary>
    public string Command { get; }

    /// <summary>The second line's command (<c>continue</c>, <c>abort</c>), null for delete.</summary>
    public string? Answer { get; }

    /// <summary>How the step ended, in a few words.</summary>
    public string Outcome { get; set; } = "not run";

    /// <summary>The lines exchanged, in order.</summary>
    public List<ExchangedLine> Lines { get; } = [];

    /// <summary>When the control line arrived (its newline, or the end of output for an unterminated one).</summary>
    public TimeSpan? ControlLineAt { get; set; }

    /// <summary>From the spawn to the end of the step.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>The exit code, when the program exited by itself.</summary>
    public int? ExitCode { get; set; }

    /// <summary>The signal that ended it, when one did (9 after the tester's kill).</summary>
    public int? Signal { get; set; }

    /// <summary>The keys execd would take from the control line; null when it takes none.</summary>
    public IReadOnlyList<string>? Keys { get; set; }

    /// <summary>execd's rkey for this run, for stateful add steps that got a control line.</summary>
    public string? RKey { get; set; }

    /// <summary>What the program wrote to stderr.</summary>
    public string Stderr { get; set; } = string.Empty;

    /// <summary>True when the program printed a control line and got its answer, so a repeat can be tested.</summary>
    public bool HandshakeCompleted { get; set; }

    /// <summary>True when the step did not run (an earlier one made it pointless).</summary>
    public bool Skipped { get; set; }
}

/// <summary>What the program wrote to <c>logs/active-responses.log</c> during the test, and how many lines Wazuh would miss.</summary>
/// <param name="Path">The log, relative to the home.</param>
/// <param name="Written">True when the program wrote to it.</param>
/// <param name="Lines">Non-empty lines written.</param>
/// <param name="BadLines">Lines Wazuh's decoder would not match.</param>
internal sealed record ProgramLogReport(string Path, bool Written, int Lines, int BadLines);

/// <summary>The whole result of <c>riposte script-test</c>.</summary>
internal sealed class ScriptTestReport
{
    /// <summary>Creates the report of a test of <paramref name="program"/>.</summary>
    public ScriptTestReport(string program, string relativePath, string home, bool temporaryHome, bool stateless, TimeSpan limit)
    {
        Program = program;
        RelativePath = relativePath;
        Home = home;
        TemporaryHome = temporaryHome;
        Stateless = stateless;
        Limit = limit;
    }

    /// <summary>The program as given on the command line.</summary>
    public string Program { get; }

    /// <summary>argv0, as execd passes it: <c>active-response/bin/NAME</c>.</summary>
    public string RelativePath { get; }

    /// <summary>The home the program ran in (its working directory).</summary>
    public string Home { get; }

    /// <summary>True when the home was a temporary one, deleted afterwards.</summary>
    public bool TemporaryHome { get; }

    /// <summary>True when the program was tested as a stateless one (a single add).</summary>
    public bool Stateless { get; }

    /// <summary>The time limit of each step.</summary>
    public TimeSpan Limit { get; }

    /// <summary>The steps, in order.</summary>
    public List<StepReport> Steps { get; } = [];

    /// <summary>Everything found.</summary>
    public FindingList Findings { get; } = new();

    /// <summary>The program log, once checked.</summary>
    public ProgramLogReport? Log { get; set; }

    /// <summary>True when no error was found.</summary>
    public bool Conforms => Findings.Conforms;
}
