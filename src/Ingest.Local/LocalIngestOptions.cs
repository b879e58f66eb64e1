namespace Ingest.Local;

/// <summary>Options of the embedded local backends (<see cref="LocalIngest"/>, <c>AddIngestLocal</c>).</summary>
/// <remarks>
/// Layout under <see cref="Root"/>: <c>lake/{zone}/{key}</c> (the folder lake), <c>ingest.db</c> (SQLite: registry and
/// ledger) and <c>catalog.duckdb</c> (DuckDB views for the <c>duckdb</c> CLI).
/// </remarks>
public sealed class LocalIngestOptions
{
    /// <summary>Gets or sets the folder that holds the lake, the registry and ledger database, and the DuckDB catalog.</summary>
    /// <value>The default is <c>.ingest</c>, resolved against the current directory when the backends are built.</value>
    public string Root { get; set; } = ".ingest";

    /// <summary>Gets or sets how long a write waits for another process that holds the SQLite write lock.</summary>
    /// <value>The default is 10 seconds; between 1 millisecond and 10 minutes.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Returns the problems of these options, each naming its field; empty when they are valid.</summary>
    internal IReadOnlyList<string> GetErrors()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Root))
        {
            errors.Add("LocalIngestOptions.Root is required: the folder for the lake, ingest.db and catalog.duckdb (for example \".ingest\").");
        }
        else if (Root.IndexOfAny(['\0', '*', '?', '[', ']']) >= 0)
        {
            errors.Add($"LocalIngestOptions.Root '{Root}' contains a character that is not allowed in the lake folder ('*', '?', '[', ']' or NUL: DuckDB would read them as a file pattern).");
        }

        if (BusyTimeout <= TimeSpan.Zero || BusyTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"LocalIngestOptions.BusyTimeout {BusyTimeout} is out of range: expected more than 0 and at most 10 minutes.");
        }

        return errors;
    }

    /// <summary>Throws when the options are invalid.</summary>
    internal void Validate() => Microsoft.Extensions.DependencyInjection.OptionsValidation.ThrowIfAny(GetErrors(), "options");
}
