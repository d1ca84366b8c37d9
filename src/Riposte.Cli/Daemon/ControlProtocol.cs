using System.Text.Json.Serialization;

namespace Riposte.Cli.Daemon;

/// <summary>A request on the control socket: one JSON line.</summary>
/// <param name="Op"><c>exec</c> (run a message), <c>revoke</c> (delete now) or <c>ping</c>.</param>
/// <param name="Body">For exec: the message bytes, base64 (bytes are a contract; JSON re-serialisation could change them).</param>
/// <param name="Key">For revoke: an rkey or a key such as an IP.</param>
internal sealed record ControlRequest(
    [property: JsonPropertyName("op")] string Op,
    [property: JsonPropertyName("body")] string? Body = null,
    [property: JsonPropertyName("key")] string? Key = null);

/// <summary>One outcome in a control reply.</summary>
internal sealed record ControlOutcome(
    [property: JsonPropertyName("result")] string Result,
    [property: JsonPropertyName("rkey")] string? RKey,
    [property: JsonPropertyName("detail")] string Detail);

/// <summary>The reply: one JSON line.</summary>
internal sealed record ControlReply(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("outcomes")] IReadOnlyList<ControlOutcome> Outcomes);

[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlReply))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class ControlJson : JsonSerializerContext;
