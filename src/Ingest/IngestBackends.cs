using Ingest.Catalog;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest;

/// <summary>
/// The backends a pipeline runs against: where the lake is, where definitions and runs are kept, and
/// (optionally) the catalog kept in step with them and the query engine over it.
/// </summary>
public sealed record IngestBackends
{
    /// <summary>Gets the lake storage.</summary>
    public required ILakeStorage Lake { get; init; }

    /// <summary>Gets the schema registry.</summary>
    public required ISchemaRegistry Registry { get; init; }

    /// <summary>Gets the run ledger.</summary>
    public required IRunLedger Ledger { get; init; }

    /// <summary>
    /// Gets the Iceberg catalog that records each Iceberg table's current metadata file; required to run a dataset
    /// whose <see cref="Definitions.TableFormat"/> is <see cref="Definitions.TableFormat.Iceberg"/>.
    /// </summary>
    public IIcebergCatalog? IcebergCatalog { get; init; }

    /// <summary>Gets the catalog, if any.</summary>
    public ICatalog? Catalog { get; init; }

    /// <summary>Gets the query engine, if any (<see cref="QueryAsync(string, IReadOnlyList{object?}?, CancellationToken)"/> uses it).</summary>
    public IQueryEngine? Query { get; init; }

    /// <summary>Runs a query on <see cref="Query"/>; see <see cref="IQueryEngine.QueryAsync(string, IReadOnlyList{object?}?, CancellationToken)"/>.</summary>
    /// <exception cref="InvalidOperationException">These backends have no query engine.</exception>
    /// <exception cref="QueryException">The engine refused or failed the query.</exception>
    public Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?>? parameters = null, CancellationToken cancellationToken = default)
        => RequireQuery().QueryAsync(sql, parameters, cancellationToken);

    /// <summary>Runs a query with options (such as time travel) on <see cref="Query"/>; see <see cref="IQueryEngine.QueryAsync(string, QueryOptions, CancellationToken)"/>.</summary>
    /// <exception cref="InvalidOperationException">These backends have no query engine.</exception>
    /// <exception cref="QueryException">The engine refused or failed the query.</exception>
    /// <exception cref="NotSupportedException">The engine cannot honour an option.</exception>
    public Task<QueryResult> QueryAsync(string sql, QueryOptions options, CancellationToken cancellationToken = default)
        => RequireQuery().QueryAsync(sql, options, cancellationToken);

    private IQueryEngine RequireQuery()
        => Query ?? throw new InvalidOperationException(
            "These backends have no query engine: LocalIngest.CreateBackends (DuckDB) and AwsAnalytics.WithGlueAndAthena (Athena) set IngestBackends.Query; set it with `backends with { Query = ... }`.");
}
