namespace Riposte.Config;

/// <summary>analysisd's <c>rules_id</c> scan: spaces and empty items allowed, stops silently at the first other character.</summary>
internal static class RulesIdList
{
    /// <summary>Parses the ids analysisd would compare; <paramref name="stoppedAt"/> is the index where scanning gave up early, or -1.</summary>
    public static int[] Parse(string text, out int stoppedAt) => Parse(text, out stoppedAt, out _);

    /// <summary>As <see cref="Parse(string, out int)"/>; <paramref name="overflowed"/> lists the numbers atoi wrapped (as written, as read).</summary>
    public static int[] Parse(string text, out int stoppedAt, out IReadOnlyList<(string Written, int Read)> overflowed)
    {
        var ids = new List<int>();
        var wrapped = new List<(string Written, int Read)>();
        overflowed = wrapped;
        stoppedAt = -1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == ' ' || c == ',')
            {
                i++;
            }
            else if (char.IsAsciiDigit(c))
            {
                ids.Add(CNumbers.Atoi(text.AsSpan(i)));
                if (CNumbers.AtoiOverflows(text.AsSpan(i)))
                {
                    wrapped.Add((CNumbers.AtoiText(text[i..]), ids[^1]));
                }

                // The scan resumes after the next comma, whatever lies between.
                var comma = text.IndexOf(',', i);
                if (comma < 0)
                {
                    var end = i;
                    while (end < text.Length && char.IsAsciiDigit(text[end]))
                    {
                        end++;
                    }

                    if (text.AsSpan(end).Trim(' ').Length > 0)
                    {
                        stoppedAt = end;
                    }

                    break;
                }

                var digitsEnd = i;
                while (digitsEnd < comma && char.IsAsciiDigit(text[digitsEnd]))
                {
                    digitsEnd++;
                }

                if (text.AsSpan(digitsEnd, comma - digitsEnd).Trim(' ').Length > 0)
                {
                    stoppedAt = digitsEnd;
                }

                i = comma + 1;
            }
            else
            {
                stoppedAt = i;
                break;
            }
        }

        return [.. ids];
    }
}
