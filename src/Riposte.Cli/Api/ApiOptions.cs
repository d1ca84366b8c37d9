using Riposte.Config.Settings;

namespace Riposte.Cli.Api;

/// <summary>Where the HTTP API listens and the token it accepts (resolved from <c>--api</c>/<c>--api-token-file</c> or the settings' <c>api</c> section).</summary>
/// <param name="Listen">The address and port; port 0 picks a free one (tests).</param>
/// <param name="Token">The bearer token, already read and checked.</param>
/// <param name="TokenFile">Where the token came from (for the log).</param>
internal sealed record ApiOptions(ListenEndpoint Listen, ApiToken Token, string TokenFile);
