using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Riposte.Cli.Api;

/// <summary><c>?limit=&amp;offset=</c>, checked.</summary>
internal sealed record Paging(int Limit, int Offset)
{
    public static Paging? Read(HttpRequest request, int defaultLimit, int maxLimit)
    {
        var limit = defaultLimit;
        var offset = 0;
        if (request.Query.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 || limit > maxLimit))
        {
            return null;
        }

        if (request.Query.TryGetValue("offset", out var o) && !int.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            return null;
        }

        return new Paging(limit, offset);
    }

    public static IResult Invalid(int maxLimit) =>
        ApiProblems.BadRequest($"limit must be a whole number from 1 to {maxLimit.ToString(CultureInfo.InvariantCulture)} and offset a whole number from 0");

    /// <summary>A query value as a non-negative id, when it is one.</summary>
    public static bool TryId(string? text, out long id) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);
}
