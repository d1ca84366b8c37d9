namespace Riposte.Config.Settings;

/// <summary>Finds the known key an unknown one was probably meant to be, for "did you mean" hints.</summary>
internal static class KeySuggestion
{
    /// <summary>The candidate closest to <paramref name="text"/>, or null when none is close enough to be a typo.</summary>
    public static string? Closest(string text, IReadOnlyList<string> candidates)
    {
        // camelCase, kebab-case and case slips (maxParallel, max-parallel, Max_Parallel) are the commonest mistakes
        string folded = Fold(text);
        foreach (string candidate in candidates)
        {
            if (string.Equals(Fold(candidate), folded, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = Distance(text, candidate);
            if (distance <= 2 && distance * 2 < candidate.Length && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static string Fold(string text) =>
        string.Concat(text.Where(c => c is not ('_' or '-' or ' ')).Select(char.ToUpperInvariant));

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
