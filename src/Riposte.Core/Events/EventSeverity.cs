namespace Riposte.Events;

/// <summary>How much an event deserves attention; filters take a least severity.</summary>
public enum EventSeverity
{
    /// <summary>Routine: a response applied, reverted, refreshed.</summary>
    Info = 0,

    /// <summary>Something was held back: refused by a safety rail, rate-capped, expired, lapsed.</summary>
    Warning = 1,

    /// <summary>Something went wrong: a program failed or was killed.</summary>
    Error = 2,
}
