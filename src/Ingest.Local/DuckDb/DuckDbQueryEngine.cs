using System.Data.Common;
using System.Runtime.CompilerServices;
using DuckDB.NET.Data;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Storage;
using Ingest.Local.Diagnostics;
using Ingest.Registry;
using Microsoft.Extensions.Logging;

namespace Ingest.Local.DuckDb;

/// <summary>
/// The local query engine, the stand-in for Athena. Each query runs on its own in-memory DuckDB database in which the
/// views of every registered dataset (latest version) are created first from the registry and the lake as they are
/// now; no file lock outlives the query. The session time zone is UTC. Only queries run (<see cref="DuckDbReadOnly"/>).
/// </summary>
internal sealed class DuckDbQueryEngine(ISchemaRegistry registry, FolderZones lake, ILakeStorage storage, IIcebergCatalog iceberg, ILogger logger) : IQueryEngine
{
    public Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?>? parameters = null, CancellationToken cancellationToken = default)
        => QueryAsync(sql, new QueryOptions { Parameters = parameters }, cancellationToken);

    public async Task<QueryResult> QueryAsync(string sql, QueryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ArgumentNullException.ThrowIfNull(options);
        var parameters = options.Parameters;
        var connection = new DuckDBConnection("DataSource=:memory:");
        DuckDBCommand? command = null;
        var holds = new List<IAsyncDisposable>();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await DuckDbReadOnly.EnsureQueryAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            var views = 0;
            var asOfFound = options.AsOf?.SnapshotId is null;
            var ddl = new System.Text.StringBuilder("SET TimeZone = 'UTC';\n");
            await foreach (var definition in registry.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                // An Iceberg table: the files of the snapshot read (the current one unless AsOf), resolved once for this query.
                IReadOnlyList<string>? files = null;
                if (definition.Definition.TableFormat == TableFormat.Iceberg)
                {
                    // Held before its snapshot is resolved: expiry keeps the files this query reads until it is disposed.
                    holds.Add(await TableMaintenance.HoldAsync(definition, storage, QueryHold, cancellationToken: cancellationToken).ConfigureAwait(false));
                    var (snapshot, empty) = await SnapshotToReadAsync(definition, options.AsOf, cancellationToken).ConfigureAwait(false);
                    asOfFound |= snapshot is not null && options.AsOf?.SnapshotId == snapshot;
                    files = empty ? [] : (await TableSnapshots.ResolveAsync(definition, storage, iceberg, snapshot, cancellationToken).ConfigureAwait(false)).Files;
                }

                ddl.Append(DuckDbViews.CreateViewsSql(definition, lake, files));
                views += 2;
            }

            if (!asOfFound)
            {
                throw new QueryException($"No dataset's table has snapshot {options.AsOf}; ingest snapshots <dataset> lists a table's snapshots.", sql);
            }

            await ExecuteAsync(connection, ddl.ToString(), cancellationToken).ConfigureAwait(false);
            Log.QueryPrepared(logger, views);

            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var value in parameters ?? [])
            {
                command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
            }

            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return new DuckDbQueryResult(connection, command, reader, holds);
        }
        catch (Exception ex)
        {
            if (command is not null)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            await ReleaseAsync(holds).ConfigureAwait(false);
            throw ex switch
            {
                DuckDBException duck => QueryFailed(duck, sql),
                // DuckDB.NET reports a parameter count that does not match the placeholders this way.
                InvalidOperationException invalid => new QueryException($"The DuckDB query was refused: {invalid.Message}", sql, invalid),
                _ => ex,
            };
        }
    }

    /// <summary>The longest a query's hold on the tables it reads protects them from expiry (a reader that died releases nothing).</summary>
    private static readonly TimeSpan QueryHold = TimeSpan.FromHours(1);

    private static async Task ReleaseAsync(List<IAsyncDisposable> holds)
    {
        foreach (var hold in holds)
        {
            await hold.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Which snapshot of an Iceberg table a query reads (null: the current one), and whether the table had none yet then.</summary>
    private async Task<(long? Snapshot, bool Empty)> SnapshotToReadAsync(RegisteredDefinition definition, TableVersion? asOf, CancellationToken cancellationToken)
    {
        switch (asOf)
        {
            case null:
                return (null, false);
            case { SnapshotId: { } id }:
                var snapshots = await TableSnapshots.ListAsync(definition, storage, iceberg, cancellationToken).ConfigureAwait(false);
                return (snapshots.Any(s => s.SnapshotId == id) ? id : null, false);
            default:
                try
                {
                    return (await TableSnapshots.ResolveVersionAsync(definition, storage, iceberg, asOf.Value, cancellationToken).ConfigureAwait(false), false);
                }
                catch (SnapshotNotFoundException)
                {
                    // The table had no snapshot yet at that instant: it reads as empty.
                    return (null, true);
                }
        }
    }

    internal static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal static QueryException QueryFailed(DuckDBException ex, string sql) => new($"The DuckDB query failed: {ex.Message}", sql, ex);

    private sealed class DuckDbQueryResult : QueryResult
    {
        private readonly DuckDBConnection _connection;
        private readonly DuckDBCommand _command;
        private readonly DbDataReader _reader;
        private readonly List<IAsyncDisposable> _holds;
        private int _reading;

        public DuckDbQueryResult(DuckDBConnection connection, DuckDBCommand command, DbDataReader reader, List<IAsyncDisposable> holds)
        {
            _holds = holds;
            _connection = connection;
            _command = command;
            _reader = reader;
            Columns = [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)];
            Schema = [.. Enumerable.Range(0, reader.FieldCount).Select(i => new QueryColumn(reader.GetName(i), SqlType(reader, i), reader.GetFieldType(i)))];
        }

        public override IReadOnlyList<string> Columns { get; }

        public override IReadOnlyList<QueryColumn> Schema { get; }

        /// <summary>
        /// DuckDB's SQL name of a column's type, as <c>DESCRIBE</c> names it, without a decimal's precision and scale (the
        /// provider does not report them for a result column).
        /// </summary>
        private static string SqlType(DbDataReader reader, int ordinal) => reader.GetDataTypeName(ordinal).ToUpperInvariant();

        public override IAsyncEnumerable<IReadOnlyList<object?>> ReadRowsAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _reading, 1) != 0)
            {
                throw new InvalidOperationException("The rows of a query result can be read once.");
            }

            return Read(cancellationToken);
        }

        protected override async ValueTask DisposeAsyncCore()
        {
            await _reader.DisposeAsync().ConfigureAwait(false);
            await _command.DisposeAsync().ConfigureAwait(false);
            await _connection.DisposeAsync().ConfigureAwait(false);
            await ReleaseAsync(_holds).ConfigureAwait(false);
        }

        private async IAsyncEnumerable<IReadOnlyList<object?>> Read([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            while (true)
            {
                object?[] row;
                try
                {
                    if (!await _reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        yield break;
                    }

                    row = new object?[_reader.FieldCount];
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = _reader.IsDBNull(i) ? null : _reader.GetValue(i);
                    }
                }
                catch (DuckDBException ex)
                {
                    throw QueryFailed(ex, _command.CommandText);
                }

                yield return row;
            }
        }
    }
}
