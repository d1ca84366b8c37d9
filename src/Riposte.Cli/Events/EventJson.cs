using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Riposte.Events;

namespace Riposte.Cli.Events;

/// <summary>Source-generated JSON for <see cref="ResponseEvent"/>s, as <c>history --format json</c> and the events file write them.</summary>
[JsonSerializable(typeof(ResponseEvent))]
internal sealed partial class EventJson : JsonSerializerContext
{
    /// <summary>Every field, nulls included: one <c>history --format json</c> line per event.</summary>
    public static EventJson Full { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Nulls left out: a field Wazuh's JSON decoder sees is one that has a value.</summary>
    public static EventJson Compact { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
