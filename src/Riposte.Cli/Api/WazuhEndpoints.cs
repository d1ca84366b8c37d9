using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Riposte.Cli.Commands;
using Riposte.Engine;

namespace Riposte.Cli.Api;

/// <summary>
/// Wazuh's own <c>PUT /active-response?agents_list=...</c> (spec §4.3), so SOAR integrations written for Wazuh's API
/// work unchanged: the same body, the same response envelope and error codes. This host is agent <c>000</c> (Wazuh
/// never targets 000; here it is the only host there is); other agent ids fail with 1701.
/// </summary>
internal static partial class WazuhEndpoints
{
    private const string AllSent = "AR command was sent to all agents";
    private const string SomeSent = "AR command was not sent to some agents";
    private const string NoneSent = "AR command was not sent to any agent";
    private const string ThisHost = "000";

    private static readonly HashSet<string> Members = new(StringComparer.Ordinal) { "command", "arguments", "alert", "custom" };

    /// <summary>Wazuh's login, which its clients call first: answered with the API token itself (it authenticates on its own, see <see cref="ApiAuth"/>).</summary>
    public const string LoginPath = "/security/user/authenticate";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPut("/active-response", RunAsync).WithSummary("Wazuh's PUT /active-response?agents_list=...: the same body, response and error codes (000 is this host).")
            .Produces<WazuhReply>().ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapMethods(LoginPath, [HttpMethods.Get, HttpMethods.Post], Login)
            .WithSummary("Wazuh's login: HTTP Basic with the API token as the password; answers the token to send as Bearer.")
            .Produces<LoginReply>().ProducesProblem(StatusCodes.Status401Unauthorized);
    }

    /// <summary>
    /// Wazuh's clients log in with HTTP Basic and then send the JWT they got as a bearer token. Here the password is the
    /// API token (any user name), and the "JWT" handed back is that same token, so such a client works unchanged.
    /// </summary>
    private static IResult Login(HttpRequest request, HttpResponse response, ApiToken token)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            }
            catch (FormatException)
            {
                decoded = "";
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && token.Matches(decoded.AsSpan(colon + 1)))
            {
                return TypedResults.Json(new LoginReply(new LoginData(token.Value), 0), WazuhJson);
            }
        }

        response.Headers.WWWAuthenticate = "Basic realm=\"riposte\"";
        return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
            "log in with HTTP Basic: any user name, and the API token (the daemon's API token file) as the password");
    }

    /// <summary>The body of Wazuh's login.</summary>
    public sealed record LoginReply(LoginData Data, int Error);

    /// <summary>The token a Wazuh client then sends as <c>Authorization: Bearer</c>.</summary>
    public sealed record LoginData(string Token);

    // Wazuh's API validates `command` with this pattern before anything else.
    [GeneratedRegex(@"^!?[\w\-.\\/:]+$", RegexOptions.CultureInvariant)]
    private static partial Regex CommandPattern();

    private static async Task<IResult> RunAsync(HttpRequest request, HttpResponse httpResponse, ApiServices services, CancellationToken cancellationToken)
    {
        var (body, problem) = await ApiBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        if (body.Root.ValueKind != JsonValueKind.Object)
        {
            return ApiProblems.BadRequest($"the body must be a JSON object, not {ApiBody.Kind(body.Root)}");
        }

        if (body.Root.EnumerateObject().Select(m => m.Name).FirstOrDefault(n => !Members.Contains(n)) is { } unknown)
        {
            return ApiProblems.BadRequest($"unknown member '{unknown}'; Wazuh's body takes command, arguments, alert and custom");
        }

        if (!body.TryString("command", out var command, out problem) || !body.TryStrings("arguments", out var arguments, out problem)
            || !body.TryObject("alert", out var alert, out problem))
        {
            return problem!;
        }

        var custom = false;
        if (body.Root.TryGetProperty("custom", out var customMember))
        {
            if (customMember.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return ApiProblems.BadRequest("'custom' must be a boolean");
            }

            custom = customMember.GetBoolean();
        }

        if (command is { Length: > 0 } && !CommandPattern().IsMatch(command))
        {
            return ApiProblems.BadRequest($"'command' {Safety.DisplayText.Quote(command)} does not match '^!?[\\w\\-.\\\\/:]+$'");
        }

        var agents = ParseAgents(request.Query["agents_list"].ToString());
        if (agents is null)
        {
            return ApiProblems.BadRequest("agents_list must be * or comma-separated agent ids (000 is this host)");
        }

        // Wazuh (4.2+) with custom=true runs the script itself, as a leading ! does.
        var name = custom && command is { Length: > 0 } && !command.StartsWith('!') ? "!" + command : command;
        var result = new WazuhResult();
        foreach (var agent in agents)
        {
            if (agent != ThisHost)
            {
                await SendToAgentAsync(services, agent, name, alert, arguments, result);
                continue;
            }

            // Checked per agent, as Wazuh's framework does when it builds each agent's message.
            if (string.IsNullOrEmpty(name))
            {
                result.Fail(agent, WazuhError.CommandNotSpecified);
                continue;
            }

            if (!name.StartsWith('!') && services.Engine.Commands.Resolve(name) is null)
            {
                result.Fail(agent, WazuhError.CommandNotDefined);
                continue;
            }

            if (TriggerMessage.Build(name, null, null, alert, "alert", arguments, "API", out var refused) is not { } message)
            {
                result.Fail(agent, WazuhError.Refused(refused!));
                continue;
            }

            // Not the request's token: a client that hangs up must not leave an add half done.
            var outcome = await services.Engine.ExecuteAsync(new ExecRequest(message, "api"), CancellationToken.None);
            // Wazuh only reports that the message was sent; what the program made of it is in the history, and here.
            httpResponse.Headers["X-Riposte-Result"] = outcome.Result.ToString().ToLowerInvariant();
            result.Affected.Add(agent);
        }

        return TypedResults.Json(result.ToReply(), WazuhJson);
    }

    /// <summary>
    /// On a fleet manager, an enrolled Riposte agent gets the command on its stream (durable: it waits for an agent that
    /// is down, as <c>riposte trigger --agent</c>); the agent resolves the name in its own <c>ar.conf</c>, as execd does.
    /// Anything else, including a Wazuh agent reached through remoted, is 1701.
    /// </summary>
    private static async Task SendToAgentAsync(ApiServices services, string agent, string? name, byte[]? alert, IReadOnlyList<string> arguments,
        WazuhResult result)
    {
        if (services.Manager is not { } manager || manager.Registry.Find(agent) is not { Transport: Fleet.Registry.AgentTransport.Riposte })
        {
            result.Fail(agent, WazuhError.AgentNotFound);
            return;
        }

        if (string.IsNullOrEmpty(name))
        {
            result.Fail(agent, WazuhError.CommandNotSpecified);
            return;
        }

        if (TriggerMessage.Build(name, null, null, alert, "alert", arguments, "API", out var refused) is not { } message)
        {
            result.Fail(agent, WazuhError.Refused(refused!));
            return;
        }

        var now = services.Time.GetUtcNow();
        var command = new Fleet.Transport.FleetCommand(agent, Fleet.FleetNames.ExecKind, message, Fleet.Transport.CommandIds.Fresh(), now,
            now + services.Home.Settings.Fleet.CommandTtl);
        // Not the request's token: once asked, the command is stored or the call fails; a hang-up does not half-send it.
        await manager.Publisher.PublishAsync(command, CancellationToken.None);
        result.Affected.Add(agent);
    }

    /// <summary>The target ids: absent, empty and <c>*</c> mean every agent, which on this host is 000.</summary>
    private static List<string>? ParseAgents(string text)
    {
        if (text.Length == 0 || text == "*")
        {
            return [ThisHost];
        }

        var ids = new List<string>();
        foreach (var part in text.Split(','))
        {
            var id = part.Trim();
            if (id.Length is 0 or > 8 || !id.All(char.IsAsciiDigit))
            {
                return null;
            }

            // Wazuh pads ids to three digits (agents_list=1 is agent 001).
            id = id.PadLeft(3, '0');
            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static readonly JsonSerializerOptions WazuhJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // As Wazuh's API writes them (Python's json): a backquote in a remediation stays a backquote, not \u0060.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One of Wazuh's API errors, as it appears in <c>failed_items</c>.</summary>
    public sealed record WazuhError(int Code, string Message, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Remediation)
    {
        public static readonly WazuhError CommandNotSpecified = new(1650, "Active response - Command not specified", null);

        public static readonly WazuhError CommandNotDefined = new(1652, "The command used is not defined in the configuration.",
            "Please, visit the official documentation (https://documentation.wazuh.com/current/user-manual/capabilities/active-response/how-to-configure.html)" +
            " to set a new command");

        public static readonly WazuhError AgentNotFound = new(1701, "Agent does not exist", "Please, use `GET /agents?select=id,name` to find all available agents");

        /// <summary>Riposte's own refusal (an unsafe address or user name in the alert); not a Wazuh code.</summary>
        public static WazuhError Refused(string why) => new(1799, $"Riposte refused the request: {why}", "Send an alert whose target address and user name are valid");
    }

    /// <summary>One entry of <c>failed_items</c>: an error and the agents it applies to.</summary>
    public sealed record FailedItem(WazuhError Error, List<string> Id);

    /// <summary>Wazuh's <c>data</c>, in Wazuh's member order.</summary>
    public sealed record WazuhData(List<string> AffectedItems, int TotalAffectedItems, List<FailedItem> FailedItems, int TotalFailedItems);

    /// <summary>Wazuh's envelope: <c>error</c> is 0 (all sent), 2 (some) or 1 (none).</summary>
    public sealed record WazuhReply(WazuhData Data, string Message, int Error);

    private sealed class WazuhResult
    {
        public List<string> Affected { get; } = [];

        public List<FailedItem> Failed { get; } = [];

        public void Fail(string agent, WazuhError error)
        {
            // Wazuh groups the agents that failed with the same error.
            if (Failed.FirstOrDefault(f => f.Error == error) is { } same)
            {
                same.Id.Add(agent);
            }
            else
            {
                Failed.Add(new FailedItem(error, [agent]));
            }
        }

        public WazuhReply ToReply()
        {
            var failedCount = Failed.Sum(f => f.Id.Count);
            var (message, error) = failedCount == 0 ? (AllSent, 0) : Affected.Count == 0 ? (NoneSent, 1) : (SomeSent, 2);
            return new WazuhReply(new WazuhData([.. Affected.OrderBy(a => a, StringComparer.Ordinal)], Affected.Count, Failed, failedCount), message, error);
        }
    }
}
