namespace Ingest;

/// <summary>
/// The lake (or the machine's disk) cannot be written: full, read-only, or permission denied. Nothing of the run was
/// published; the run can be repeated once the cause is fixed. <see cref="IngestException.Location"/> names the lake.
/// </summary>
public sealed class LakeEnvironmentException : IngestException
{
    /// <summary>Creates the exception.</summary>
    public LakeEnvironmentException(string message, string problem, Exception innerException)
        : base(message, innerException)
    {
        Problem = problem;
    }

    /// <summary>Gets what is wrong, in a few words: <c>the disk is full</c>, <c>the lake is read-only</c>, <c>permission denied</c>, <c>the lake cannot be written</c>.</summary>
    public string Problem { get; }

    /// <summary>
    /// Returns the problem when <paramref name="exception"/> is a failure of the environment rather than of the data or the
    /// code: no space left, a read-only file system, permission denied; otherwise <see langword="null"/>.
    /// </summary>
    public static string? Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        return exception switch
        {
            UnauthorizedAccessException => "permission denied",
            IOException when Has(message, "No space left") || Has(message, "disk full") || Has(message, "not enough space") => "the disk is full",
            IOException when Has(message, "Read-only file system") || Has(message, "read-only") => "the lake is read-only",
            IOException when Has(message, "Permission denied") || Has(message, "Access to the path") => "permission denied",
            _ => null,
        };
    }

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);
}
