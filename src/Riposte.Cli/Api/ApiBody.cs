using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Riposte.Cli.Api;

/// <summary>A request's JSON body, read whole (at most <see cref="ApiServer.MaxBodyBytes"/>) and checked before any endpoint sees it.</summary>
internal sealed record ApiBody(byte[] Bytes, JsonElement Root)
{
    /// <summary>The body, or the problem to answer with: not JSON (415/400), too big (413).</summary>
    public static async Task<(ApiBody? Body, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentType is not { } type || !(type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Split(';')[0].EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, ApiProblems.UnsupportedMediaType($"the body must be JSON with Content-Type: application/json (got {(request.ContentType is null ? "none" : $"'{request.ContentType}'")})"));
        }

        byte[] bytes;
        try
        {
            // Read past the limit (up to Kestrel's hard cap) rather than stop at it: a connection closed with the rest of
            // the body unread resets, and the client may never see the 413.
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            var total = 0L;
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                total += read;
                if (total <= ApiServer.MaxBodyBytes)
                {
                    buffer.Write(chunk, 0, read);
                }
            }

            if (total > ApiServer.MaxBodyBytes)
            {
                return (null, ApiProblems.TooLarge());
            }

            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ApiProblems.TooLarge());
        }

        if (bytes.Length == 0)
        {
            return (null, ApiProblems.BadRequest("the request needs a JSON body"));
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
            return (new ApiBody(bytes, document.RootElement.Clone()), null);
        }
        catch (JsonException ex)
        {
            return (null, ApiProblems.BadRequest($"the body is not valid JSON: {ex.Message}"));
        }
    }

    /// <summary>An optional string member; false (with the problem) when present but not a string.</summary>
    public bool TryString(string name, out string? value, out IResult? problem)
    {
        value = null;
        problem = null;
        if (!Root.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (member.ValueKind != JsonValueKind.String)
        {
            problem = ApiProblems.BadRequest($"'{name}' must be a string, not {Kind(member)}");
            return false;
        }

        value = member.GetString();
        return true;
    }

    /// <summary>An optional array of strings; false (with the problem) when present but something else.</summary>
    public bool TryStrings(string name, out IReadOnlyList<string> values, out IResult? problem)
    {
        values = [];
        problem = null;
        if (!Root.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (member.ValueKind != JsonValueKind.Array || member.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            problem = ApiProblems.BadRequest($"'{name}' must be an array of strings");
            return false;
        }

        values = [.. member.EnumerateArray().Select(e => e.GetString()!)];
        return true;
    }

    /// <summary>An optional object member, as its raw JSON; false (with the problem) when present but not an object.</summary>
    public bool TryObject(string name, out byte[]? json, out IResult? problem)
    {
        json = null;
        problem = null;
        if (!Root.TryGetProperty(name, out var member) || member.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (member.ValueKind != JsonValueKind.Object)
        {
            problem = ApiProblems.BadRequest($"'{name}' must be a JSON object, not {Kind(member)}");
            return false;
        }

        json = System.Text.Encoding.UTF8.GetBytes(member.GetRawText());
        return true;
    }

    public static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
