using Ingest.Definitions;

namespace Ingest;

/// <summary>
/// The root of every error Ingest raises on purpose. Carries the context a person needs to act:
/// the dataset, the file or object, the line and column, the definition version.
/// Backend exceptions (SQLite, DuckDB, AWS) stay available as <see cref="Exception.InnerException"/>.
/// </summary>
public class IngestException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public IngestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the underlying cause.</summary>
    public IngestException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception without a message (prefer the other constructors).</summary>
    public IngestException()
    {
    }

    /// <summary>Gets the dataset concerned, when known.</summary>
    public DatasetId? Dataset { get; init; }

    /// <summary>Gets the run concerned, when known.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the source file or lake object concerned, when known.</summary>
    public string? Location { get; init; }

    /// <summary>Gets the 1-based line in <see cref="Location"/>, when known.</summary>
    public long? Line { get; init; }

    /// <summary>Gets the column concerned, when known.</summary>
    public string? Column { get; init; }

    /// <summary>Gets the definition version concerned, when known.</summary>
    public int? DefinitionVersion { get; init; }

    /// <summary>Gets whether retrying the same operation later may succeed.</summary>
    public bool IsTransient { get; init; }
}

/// <summary>A dataset definition is invalid; <see cref="Errors"/> lists each problem with its JSON path.</summary>
public sealed class DefinitionException : IngestException
{
    /// <summary>Creates the exception from the list of problems.</summary>
    public DefinitionException(string source, IReadOnlyList<DefinitionError> errors)
        : base(FormatMessage(source, errors))
    {
        Errors = errors;
        Location = source;
    }

    /// <summary>Gets the problems, one per JSON path.</summary>
    public IReadOnlyList<DefinitionError> Errors { get; }

    private static string FormatMessage(string source, IReadOnlyList<DefinitionError> errors)
        => errors.Count == 1
            ? $"Invalid dataset definition {source}: {errors[0]}"
            : $"Invalid dataset definition {source}: {errors.Count} problems: {string.Join("; ", errors)}";
}

/// <summary>One problem of a definition: where (a JSON path such as <c>$.columns[2].type</c>) and what.</summary>
/// <param name="Path">The JSON path of the offending value.</param>
/// <param name="Message">What is wrong and what is expected.</param>
public sealed record DefinitionError(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>No definition is registered under the requested dataset id (or version).</summary>
public sealed class DatasetNotFoundException : IngestException
{
    /// <summary>Creates the exception.</summary>
    public DatasetNotFoundException(DatasetId dataset, int? version = null)
        : base(version is null
            ? $"Dataset {dataset} is not registered: add its definition first (ingest datasets add <file>)."
            : $"Dataset {dataset} has no version {version}.")
    {
        Dataset = dataset;
        DefinitionVersion = version;
    }
}

/// <summary>A dataset's table has no snapshot with the requested id, or had none at the requested instant.</summary>
public sealed class SnapshotNotFoundException : IngestException
{
    /// <summary>Creates the exception with a message that says what was looked for and where to find what exists.</summary>
    public SnapshotNotFoundException(DatasetId dataset, string message)
        : base(message)
    {
        Dataset = dataset;
    }
}

/// <summary>A new definition version is not compatible with the last one; nothing was registered or written.</summary>
public sealed class SchemaCompatibilityException : IngestException
{
    /// <summary>Creates the exception from the list of incompatibilities.</summary>
    public SchemaCompatibilityException(DatasetId dataset, int latestVersion, IReadOnlyList<string> incompatibilities)
        : base($"Dataset {dataset}: the new definition is not compatible with version {latestVersion}: {string.Join("; ", incompatibilities)}. Register it as a new dataset or make the change compatible (add nullable columns, widen types).")
    {
        Dataset = dataset;
        DefinitionVersion = latestVersion;
        Incompatibilities = incompatibilities;
    }

    /// <summary>Gets each incompatibility, one sentence each.</summary>
    public IReadOnlyList<string> Incompatibilities { get; }
}

/// <summary>Another writer changed the same state first (a definition version, a run lease).</summary>
public sealed class ConcurrencyConflictException : IngestException
{
    /// <summary>Creates the exception.</summary>
    public ConcurrencyConflictException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Source data broke the contract in a way that fails the run: an unreadable file, a wrong encoding,
/// a rule whose action is <see cref="RuleAction.Fail"/>, or a reject ratio above the budget.
/// Nothing of the run was published.
/// </summary>
public sealed class DataValidationException : IngestException
{
    /// <summary>Creates the exception.</summary>
    public DataValidationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
