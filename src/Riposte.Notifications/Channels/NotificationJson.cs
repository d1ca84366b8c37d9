using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Riposte.Events;

namespace Riposte.Notifications.Channels;

/// <summary>Source-generated JSON for the events (the riposte binary may be trimmed).</summary>
[JsonSerializable(typeof(ResponseEvent))]
[JsonSerializable(typeof(IReadOnlyList<ResponseEvent>))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
internal sealed partial class NotificationJson : JsonSerializerContext
{
    /// <summary>An event as the events file and the API show it.</summary>
    public static JsonNode EventNode(ResponseEvent e) => JsonSerializer.SerializeToNode(e, Default.ResponseEvent)!;
}
