using Ingest.Registry;

namespace Ingest.Catalog;

/// <summary>
/// The table catalog readers use: the Glue Data Catalog on AWS, DuckDB views locally. Kept in step with
/// the registry after each registration and each committed run.
/// </summary>
public interface ICatalog
{
    /// <summary>
    /// Creates or updates the dataset's table from its definition; a table that shows a newer definition version keeps it
    /// (a run that started before a registration ensures its table late). Checked by <c>Ingest.Testing.CatalogContractTests</c>.
    /// </summary>
    Task EnsureTableAsync(RegisteredDefinition definition, CancellationToken cancellationToken = default);

    /// <summary>Registers partitions written by a run (<c>name=value/…</c> paths); existing partitions count as success.</summary>
    Task AddPartitionsAsync(RegisteredDefinition definition, IReadOnlyList<string> partitions, CancellationToken cancellationToken = default);
}

/// <summary>
/// The query engine over the catalog: Athena on AWS, DuckDB locally. Each dataset is a table
/// <c>database.table</c> (by default <c>domain.name</c>).
/// </summary>
public interface IQueryEngine
{
    /// <summary>
    /// Runs a query. Values are passed as <paramref name="parameters"/> (positional <c>?</c> or <c>$1</c>),
    /// never concatenated into the text. Dispose the result to release the connection. Engines are read-only: a
    /// statement that is not a query (DDL, COPY, INSERT, UNLOAD, settings) throws <see cref="QueryException"/> and is not run.
    /// </summary>
    Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?>? parameters = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a query with options, such as reading Iceberg tables as of an earlier snapshot (<see cref="QueryOptions.AsOf"/>).
    /// Engines that cannot honour an option throw <see cref="NotSupportedException"/> rather than ignore it.
    /// </summary>
    Task<QueryResult> QueryAsync(string sql, QueryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AsOf is null
            ? QueryAsync(sql, options.Parameters, cancellationToken)
            : throw new NotSupportedException($"{GetType().Name} cannot read tables as of an earlier snapshot.");
    }
}

/// <summary>Options of <see cref="IQueryEngine.QueryAsync(string, QueryOptions, CancellationToken)"/>.</summary>
public sealed record QueryOptions
{
    /// <summary>Gets the values bound to the statement's placeholders, in order.</summary>
    public IReadOnlyList<object?>? Parameters { get; init; }

    /// <summary>
    /// Gets the table state to read (time travel), or <see langword="null"/> for the current one. A timestamp reads every
    /// Iceberg table as it was then (a table created later reads as empty); a snapshot id reads the table that has that
    /// snapshot at it and the others as they are now. Hive tables have no history and are read as they are now.
    /// </summary>
    public TableVersion? AsOf { get; init; }
}

/// <summary>A column of a query result.</summary>
/// <param name="Name">The column's name.</param>
/// <param name="DataType">The engine's SQL type of the column, as the engine spells it (DuckDB <c>DECIMAL</c>, <c>BIGINT</c>; Athena <c>decimal(18,2)</c>, <c>bigint</c>).</param>
/// <param name="ClrType">The CLR type of the column's values in <see cref="QueryResult.ReadRowsAsync"/> (<see cref="object"/> when the engine gives several).</param>
public sealed record QueryColumn(string Name, string DataType, Type ClrType);

/// <summary>A query's result: its columns and a stream of rows.</summary>
public abstract class QueryResult : IAsyncDisposable
{
    /// <summary>Gets the column names.</summary>
    public abstract IReadOnlyList<string> Columns { get; }

    /// <summary>Gets the columns with their types, in the order of <see cref="Columns"/>.</summary>
    public abstract IReadOnlyList<QueryColumn> Schema { get; }

    /// <summary>Streams the rows; each row's values are in column order (CLR values, <see langword="null"/> for SQL NULL).</summary>
    public abstract IAsyncEnumerable<IReadOnlyList<object?>> ReadRowsAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets the bytes the engine scanned, when it reports them.</summary>
    public virtual long? BytesScanned => null;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the underlying connection.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;
}
