using System.Runtime.CompilerServices;
using Ingest.Local.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Ingest.Local.Sqlite;

/// <summary>
/// The SQLite file that holds the registry and the ledger: one table <c>items (pk, sk, body)</c> mirroring the
/// DynamoDB single-table design; and the Iceberg tables' metadata pointers in <c>iceberg_tables</c>, the layout of
/// Iceberg's SQL catalog (so PyIceberg's or Java's SQL catalog can open the local lake). WAL mode, a busy timeout, and every conditional write inside a
/// <c>BEGIN IMMEDIATE</c> transaction, so that two processes on the same file cannot both win.
/// </summary>
internal sealed class SqliteStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS items (
            pk   TEXT NOT NULL,
            sk   TEXT NOT NULL,
            body TEXT NOT NULL CHECK (json_valid(body)),
            PRIMARY KEY (pk, sk)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS iceberg_tables (
            catalog_name               VARCHAR(255)  NOT NULL,
            table_namespace            VARCHAR(255)  NOT NULL,
            table_name                 VARCHAR(255)  NOT NULL,
            metadata_location          VARCHAR(1000),
            previous_metadata_location VARCHAR(1000),
            PRIMARY KEY (catalog_name, table_namespace, table_name)
        );
        """;

    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile bool _initialized;

    public SqliteStore(string databasePath, TimeSpan busyTimeout, ILogger logger)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _busyTimeoutMs = (int)Math.Clamp(busyTimeout.TotalMilliseconds, 1, int.MaxValue);
        _logger = logger;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString();
    }

    public string DatabasePath { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        return await OpenCoreAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the body of one item, or null.</summary>
    public async Task<string?> GetAsync(string pk, string sk, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await GetAsync(connection, null, pk, sk, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<string?> GetAsync(SqliteConnection connection, SqliteTransaction? transaction, string pk, string sk, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "SELECT body FROM items WHERE pk = $pk AND sk = $sk", ("$pk", pk), ("$sk", sk));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    /// <summary>Streams the bodies a query returns (its only column).</summary>
    public async IAsyncEnumerable<string> QueryAsync(string sql, (string Name, object Value)[] parameters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = Command(connection, null, sql, parameters);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield return reader.GetString(0);
                }
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> in a <c>BEGIN IMMEDIATE</c> transaction; commits when it returns true, rolls back otherwise.</summary>
    public async Task<TResult> WriteAsync<TResult>(Func<SqliteConnection, SqliteTransaction, Task<(bool Commit, TResult Result)>> work, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                // deferred: false issues BEGIN IMMEDIATE: the write lock is taken before anything is read.
                var transaction = connection.BeginTransaction(deferred: false);
                await using (transaction.ConfigureAwait(false))
                {
                    var (commit, result) = await work(connection, transaction).ConfigureAwait(false);
                    if (commit)
                    {
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    }

                    return result;
                }
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
            {
                throw new IngestException($"The registry and ledger database {DatabasePath} stayed locked by another writer beyond the busy timeout; retry.", ex)
                {
                    IsTransient = true,
                    Location = DatabasePath,
                };
            }
        }
    }

    /// <summary>Inserts an item unless it exists; returns whether it was inserted.</summary>
    public static async Task<bool> TryInsertAsync(SqliteConnection connection, SqliteTransaction transaction, string pk, string sk, string body, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "INSERT INTO items (pk, sk, body) VALUES ($pk, $sk, $body) ON CONFLICT (pk, sk) DO NOTHING", ("$pk", pk), ("$sk", sk), ("$body", body));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Inserts or replaces an item.</summary>
    public static async Task PutAsync(SqliteConnection connection, SqliteTransaction transaction, string pk, string sk, string body, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "INSERT INTO items (pk, sk, body) VALUES ($pk, $sk, $body) ON CONFLICT (pk, sk) DO UPDATE SET body = excluded.body", ("$pk", pk), ("$sk", sk), ("$body", body));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes an item.</summary>
    public static async Task DeleteAsync(SqliteConnection connection, SqliteTransaction transaction, string pk, string sk, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "DELETE FROM items WHERE pk = $pk AND sk = $sk", ("$pk", pk), ("$sk", sk));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private async Task<SqliteConnection> OpenCoreAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture)};";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_initialized)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            var connection = await OpenCoreAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA journal_mode = WAL;" + Schema;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            _initialized = true;
            Log.DatabaseOpened(_logger, DatabasePath);
        }
        finally
        {
            _initLock.Release();
        }
    }
}
