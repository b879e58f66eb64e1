namespace Ingest.Definitions;

/// <summary>The closest of a set of names to a name that was not found, for "did you mean …?" in error messages.</summary>
internal static class Suggestions
{
    /// <summary>
    /// Returns the candidate nearest to <paramref name="name"/> (case-insensitive edit distance, a different case counting as
    /// the nearest), or <see langword="null"/> when none is close: at most a third of the name's length, at least 2, apart.
    /// </summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var limit = Math.Max(2, name.Length / 3);
        foreach (var candidate in candidates)
        {
            if (string.Equals(candidate, name, StringComparison.Ordinal))
            {
                continue;
            }

            var distance = string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(name, candidate);
            if (distance <= limit && distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best;
    }

    /// <summary>The Levenshtein distance of two texts, compared without case.</summary>
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var same = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]);
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (same ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
