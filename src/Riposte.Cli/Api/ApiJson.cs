using System.Text.Json;
using System.Text.Json.Serialization;

namespace Riposte.Cli.Api;

/// <summary>The API's JSON conventions: snake_case names, as the CLI's <c>--format json</c> and the events file use.</summary>
internal static class ApiJson
{
    /// <summary>The options every response is written with (and SSE data lines).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.WriteIndented = false;
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
