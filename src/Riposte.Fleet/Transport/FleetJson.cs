using System.Text.Json;
using System.Text.Json.Serialization;
using Riposte.Fleet.Messages;

namespace Riposte.Fleet.Transport;

/// <summary>Source-generated JSON for the fleet's messages.</summary>
[JsonSerializable(typeof(AgentOutcome))]
[JsonSerializable(typeof(AgentHeartbeat))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
internal sealed partial class FleetJson : JsonSerializerContext
{
    /// <summary>Parses an outcome; null when the bytes are not one.</summary>
    public static AgentOutcome? ParseOutcome(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, Default.AgentOutcome);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Parses a heartbeat; null when the bytes are not one.</summary>
    public static AgentHeartbeat? ParseHeartbeat(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, Default.AgentHeartbeat);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
