namespace Riposte.Cli.Doctor;

/// <summary>The outcome of one doctor check.</summary>
internal enum CheckStatus
{
    /// <summary>Fine.</summary>
    Pass,

    /// <summary>Works, but worth a look; does not fail the run.</summary>
    Warn,

    /// <summary>Broken: <c>riposte doctor</c> exits non-zero.</summary>
    Fail,

    /// <summary>Not applicable here (a tool no configured response needs, a state not created yet).</summary>
    Skip,
}
