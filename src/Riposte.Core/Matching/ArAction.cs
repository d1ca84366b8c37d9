using Riposte.Config;

namespace Riposte.Matching;

/// <summary>An active response an alert triggers, and where it runs.</summary>
/// <param name="Response">The <c>&lt;active-response&gt;</c> block.</param>
/// <param name="Target">Where analysisd would send it.</param>
public sealed record ArAction(ActiveResponseDefinition Response, ArTarget Target);
