using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Riposte.Alerts;
using Riposte.Cli.Commands;
using Riposte.Engine;

namespace Riposte.Cli.Api;

/// <summary>
/// <c>POST /api/v1/trigger</c> (what <c>riposte trigger</c> does, with its checks) and <c>POST /api/v1/explain</c> (what
/// <c>riposte explain --format json</c> prints) against the running configuration.
/// </summary>
internal static class ActionEndpoints
{
    private static readonly HashSet<string> TriggerMembers = new(StringComparer.Ordinal) { "response", "command", "ip", "srcip", "user", "alert", "arguments" };

    public static void Map(RouteGroupBuilder v1)
    {
        // No Accepts<T>(): it would make routing answer a wrong Content-Type with 404; ApiBody answers 415 instead.
        v1.MapPost("/trigger", TriggerAsync).WithSummary("Run an active response for an address, a user or an alert (riposte trigger).")
            .Produces<TriggerReply>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        v1.MapPost("/explain", ExplainAsync).WithSummary("Which active responses an alert (the body) would trigger and why others do not (riposte explain --format json).")
            .Produces<JsonElement>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    private static async Task<IResult> TriggerAsync(HttpRequest request, ApiServices services, CancellationToken cancellationToken)
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

        if (body.Root.EnumerateObject().Select(m => m.Name).FirstOrDefault(n => !TriggerMembers.Contains(n)) is { } unknown)
        {
            return ApiProblems.BadRequest($"unknown member '{unknown}'; the body takes response (or command), ip (or srcip), user, alert and arguments" +
                (unknown == "timeout" ? " (the timeout is part of the response's name, e.g. firewall-drop600)" : ""));
        }

        if (!body.TryString("response", out var response, out problem) || !body.TryString("command", out var command, out problem)
            || !body.TryString("ip", out var ip, out problem) || !body.TryString("srcip", out var srcip, out problem)
            || !body.TryString("user", out var user, out problem) || !body.TryObject("alert", out var alert, out problem)
            || !body.TryStrings("arguments", out var arguments, out problem))
        {
            return problem!;
        }

        if (response is not null && command is not null && response != command)
        {
            return ApiProblems.BadRequest("give response or command (the same thing), not two different names");
        }

        if (ip is not null && srcip is not null && ip != srcip)
        {
            return ApiProblems.BadRequest("give ip or srcip (the same thing), not two different addresses");
        }

        var name = response ?? command;
        if (string.IsNullOrEmpty(name))
        {
            return ApiProblems.BadRequest("the body needs 'response': the active response's name as in ar.conf (e.g. firewall-drop600), or !program");
        }

        if (!name.StartsWith('!') && services.Engine.Commands.Resolve(name) is null)
        {
            return ApiProblems.Unprocessable($"no active response is named '{name}' (see ar.conf, or `riposte ar-conf`); !program runs a program directly");
        }

        if (TriggerMessage.Build(name, ip ?? srcip, user, alert, "alert", arguments, "", out var refused, ipLabel: "ip", userLabel: "user") is not { } message)
        {
            return ApiProblems.Unprocessable(refused!);
        }

        // Not the request's token: a client that hangs up must not leave an add half done.
        var outcome = await services.Engine.ExecuteAsync(new ExecRequest(message, "api"), CancellationToken.None);
        var result = outcome.Result.ToString().ToLowerInvariant();
        return TypedResults.Ok(new TriggerReply(outcome.Result is ExecResult.Continued or ExecResult.Aborted or ExecResult.NoKeys, result, outcome.RKey, outcome.Detail));
    }

    private static async Task<IResult> ExplainAsync(HttpRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var (body, problem) = await ApiBody.ReadAsync(request, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        if (body.Root.ValueKind != JsonValueKind.Object)
        {
            return ApiProblems.BadRequest($"the body must be one alert (a JSON object), not {ApiBody.Kind(body.Root)}");
        }

        var line = JsonLinesReader.ParseLine(body.Bytes, 1, 0);
        if (line?.Alert is not { } alert)
        {
            return ApiProblems.BadRequest($"the body is not an alert: {line?.Error ?? "empty"}");
        }

        return TypedResults.Text(ExplainCommand.ExplainJson(services.Dispatcher.Config, alert), "application/json");
    }

    /// <summary>The body of <c>POST /api/v1/trigger</c>: what the engine made of the request.</summary>
    /// <param name="Ok">True when the program ran and answered (continued, aborted or nokeys), as <c>riposte trigger</c> exits 0.</param>
    /// <param name="Result">The engine's result: continued, aborted, nokeys, duplicate, refused, failed...</param>
    /// <param name="Rkey">The response key, when the program reported keys.</param>
    /// <param name="Detail">What happened, in words.</param>
    public sealed record TriggerReply(bool Ok, string Result, string? Rkey, string Detail);
}
