using Riposte.Alerts;

namespace Riposte.Matching;

/// <summary>What one alert triggers, and why every other block did not fire.</summary>
/// <param name="Alert">The alert.</param>
/// <param name="Actions">Triggered responses in configuration order.</param>
/// <param name="Skipped">The other blocks in configuration order.</param>
public sealed record AlertExplanation(Alert Alert, IReadOnlyList<ArAction> Actions, IReadOnlyList<SkippedResponse> Skipped);
