using Ingest.Database.Tests.Infrastructure;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Ingest.Database.Tests.Extraction;

/// <summary>The extractor suite against a SQLite file: text timestamps and dates, REAL amounts, integer booleans.</summary>
public sealed class SqliteExtractorContractTests : SourceExtractorContractTests, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ingest-extractor-contract-").FullName;

    private string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "source.db"), Pooling = false }.ConnectionString;

    protected override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override string Connection => "contract";

    protected override Task CreateTableAsync(string table)
        => ExecuteAsync($"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT, amount REAL, qty INTEGER, ok INTEGER, day TEXT, changed_at TEXT NOT NULL)", []);

    protected override async Task InsertAsync(string table, IReadOnlyList<SourceExtractorContractRow> rows)
    {
        foreach (var row in rows)
        {
            await ExecuteAsync(
                $"INSERT INTO {table} VALUES ($id, $name, $amount, $qty, $ok, $day, $changed_at)",
                [row.Id, row.Name, row.Amount is { } a ? (double)a : null, row.Qty, row.Ok is { } ok ? (ok ? 1 : 0) : null, row.Day?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), row.ChangedAt.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)]);
        }
    }

    protected override ISourceExtractor CreateExtractor() => DatabaseIngest.CreateExtractor(LakeHarness.Options((Connection, ConnectionString)));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task ExecuteAsync(string sql, object?[] values)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        string[] names = ["$id", "$name", "$amount", "$qty", "$ok", "$day", "$changed_at"];
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue(names[i], values[i] ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>The extractor suite against a real PostgreSQL (binary COPY, the default reader).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresExtractorContractTests(PostgresServer postgres) : PostgresContractBase(postgres, binaryCopy: true);

/// <summary>The extractor suite against a real PostgreSQL read through ADO.NET (binary COPY off).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAdoExtractorContractTests(PostgresServer postgres) : PostgresContractBase(postgres, binaryCopy: false);

/// <summary>PostgreSQL's own types: bigint, text, numeric(18,2), integer, boolean, date, timestamp.</summary>
public abstract class PostgresContractBase(PostgresServer postgres, bool binaryCopy) : SourceExtractorContractTests
{
    private string? _database;

    protected override DatabaseProvider Provider => DatabaseProvider.Postgresql;

    protected override string Connection => "contract";

    protected override async Task CreateTableAsync(string table)
    {
        _database ??= await postgres.CreateDatabaseAsync();
        await PostgresServer.ExecuteAsync(_database, $"CREATE TABLE {table} (id bigint PRIMARY KEY, name text, amount numeric(18,2), qty integer, ok boolean, day date, changed_at timestamp NOT NULL)");
    }

    protected override async Task InsertAsync(string table, IReadOnlyList<SourceExtractorContractRow> rows)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        foreach (var row in rows)
        {
            await using var command = new NpgsqlCommand($"INSERT INTO {table} VALUES ($1, $2, $3, $4, $5, $6, $7)", connection);
            object?[] values = [row.Id, row.Name, row.Amount, row.Qty, row.Ok, row.Day, row.ChangedAt];
            foreach (var value in values)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            }

            await command.ExecuteNonQueryAsync();
        }
    }

    protected override ISourceExtractor CreateExtractor()
    {
        var options = LakeHarness.Options((Connection, _database!));
        options.PostgresBinaryCopy = binaryCopy;
        return DatabaseIngest.CreateExtractor(options);
    }
}
