namespace Ingest.Storage;

/// <summary>Validation of object keys: relative, '/'-separated, no empty, '.' or '..' segments, no control characters.</summary>
internal static class LakeKeys
{
    /// <summary>Returns whether the key is safe to use as an object key and as a relative path.</summary>
    public static bool IsValid(string? key, bool allowPrefix = false)
    {
        if (string.IsNullOrEmpty(key))
        {
            return allowPrefix && key is not null;
        }

        if (key.Length > 1024 || key[0] == '/' || key.Contains('\\', StringComparison.Ordinal))
        {
            return false;
        }

        var segments = key.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length == 0)
            {
                // A prefix may end with '/'.
                if (allowPrefix && i == segments.Length - 1)
                {
                    continue;
                }

                return false;
            }

            if (segment is "." or ".." || segment.Any(c => char.IsControl(c) || c is ':' or '*' or '?' or '"' or '<' or '>' or '|'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> when the key is not valid.</summary>
    public static void EnsureValid(string key, bool allowPrefix = false)
    {
        if (!IsValid(key, allowPrefix))
        {
            throw new ArgumentException(
                $"'{key}' is not a valid lake key: use relative '/'-separated segments without '.', '..', empty segments, backslashes or control characters.",
                nameof(key));
        }
    }
}
