using System.Data.Common;
using System.Globalization;
using Ingest;
using Ingest.Database;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;
using Spectre.Console;

namespace OnPremToAthena;

/// <summary>
/// Step 7: the site's service tickets live in a database, not in files. With <c>INGEST_ConnectionStrings__onprem</c> set (for
/// example <c>scripts/postgres.sh url</c>) they are a PostgreSQL table; otherwise an SQLite file the sample creates. Three runs:
/// the first load, a re-run that finds nothing new, and an incremental run after inserts and updates at the source.
/// </summary>
internal sealed class DatabaseStep(IngestBackends backends, Checks checks, ReadBack readBack, string folder, int tickets)
{
    private const string Dataset = "service.tickets";
    private const string Table = "sample_service_tickets";
    private static readonly DateTime Start = new(2024, 5, 1, 8, 0, 0, DateTimeKind.Unspecified);

    public async Task RunAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("INGEST_ConnectionStrings__onprem");
        var (provider, factory, connectionString) = postgres is { Length: > 0 }
            ? (DatabaseProvider.Postgresql, (DbProviderFactory)NpgsqlFactory.Instance, postgres)
            : (DatabaseProvider.Sqlite, SqliteFactory.Instance, SqliteFile());
        Show.Step(7, "Extract from the on-premise database", $"Service tickets live in {(provider == DatabaseProvider.Postgresql ? "PostgreSQL" : "an SQLite database (set INGEST_ConnectionStrings__onprem for PostgreSQL)")}. An incremental cursor (updated_at) extracts only new and changed rows; the watermark advances with the run's commit, and the extract is kept in the raw zone.");

        await ExecuteAsync(factory, connectionString, $"DROP TABLE IF EXISTS {Table}", []);
        await ExecuteAsync(factory, connectionString, $"CREATE TABLE {Table} (ticket_id bigint PRIMARY KEY, customer_id bigint NOT NULL, status varchar(20) NOT NULL, cost numeric(10,2), updated_at timestamp NOT NULL)", []);
        var costs = new Dictionary<long, decimal>();
        await InsertAsync(factory, connectionString, 1, tickets, costs);

        var registered = await backends.Registry.RegisterAsync(DatasetDefinitionSerializer.Deserialize(Definition(provider), "service.tickets"));
        AnsiConsole.MarkupLine($"registered [bold]{registered.Dataset}[/] v{registered.Version}: table {Table} on connection 'onprem' ({provider}), cursor updated_at");
        var options = new DatabaseSourceOptions();
        options.Providers[provider] = factory;
        options.ConnectionStrings["onprem"] = connectionString;
        var pipeline = new IngestPipelineBuilder(backends).ForDataset(Dataset).UseSourceExtractor(DatabaseIngest.CreateExtractor(options)).Build();

        var first = await RunAsync(pipeline, "first load");
        checks.Equal("tickets extracted by the first run", (long)tickets, first.Run.RowsRead);

        var again = await RunAsync(pipeline, "re-run, nothing changed");
        checks.That("re-run with nothing new extracts nothing", again.Run.Status == RunStatus.Skipped && again.Run.RowsRead == 0, $"status {again.Run.Status}, {again.Run.RowsRead} rows read");

        // At the source: 20 tickets are closed (their cost and updated_at change) and 50 new ones arrive.
        for (var id = 1L; id <= 20; id++)
        {
            costs[id] += 10m;
            await ExecuteAsync(factory, connectionString, $"UPDATE {Table} SET status = 'closed', cost = cost + 10, updated_at = @at WHERE ticket_id = @id", [("id", id), ("at", Start.AddDays(1).AddSeconds(id))]);
        }

        await InsertAsync(factory, connectionString, tickets + 1, tickets + 50, costs);
        var third = await RunAsync(pipeline, "after 20 updates and 50 inserts");
        checks.Equal("tickets extracted incrementally (20 updated + 50 new)", 70L, third.Run.RowsRead);

        var rows = await readBack.QueryAsync(LakeZone.Curated, Dataset, "SELECT count(*) AS tickets, CAST(sum(cost) AS VARCHAR) AS cost, count(*) FILTER (WHERE status = 'closed') AS closed FROM {files}");
        checks.Equal("tickets in the lake (merged by ticket_id)", (long)tickets + 50, Convert.ToInt64(rows[0][0], CultureInfo.InvariantCulture));
        checks.Equal("total cost in the lake", costs.Values.Sum().ToString("0.00", CultureInfo.InvariantCulture), (string?)rows[0][1]);
        checks.Equal("closed tickets in the lake", 20L, Convert.ToInt64(rows[0][2], CultureInfo.InvariantCulture));
        var watermark = await backends.Ledger.GetWatermarkAsync(DatasetId.Parse(Dataset), $"database:onprem:{Table}:updated_at");
        checks.That("watermark committed with the last run", watermark is not null && watermark.StartsWith("2024-05-02", StringComparison.Ordinal), watermark ?? "(none)");
    }

    private static async Task<IngestRunResult> RunAsync(IngestPipeline pipeline, string what)
    {
        var result = await AnsiConsole.Status().StartAsync($"extracting {Dataset} ({what})…", _ => pipeline.ExtractAndRunAsync());
        Show.Run(result);
        return result;
    }

    private string SqliteFile()
    {
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "onprem.db");
        SqliteConnection.ClearAllPools();
        File.Delete(file);
        return new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ConnectionString;
    }

    private static async Task InsertAsync(DbProviderFactory factory, string connectionString, long from, long to, Dictionary<long, decimal> costs)
    {
        await using var connection = factory.CreateConnection()!;
        connection.ConnectionString = connectionString;
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        for (var id = from; id <= to; id++)
        {
            var cost = ((id * 37) % 500) + 0.25m;
            costs[id] = cost;
            await using var command = Command(connection, $"INSERT INTO {Table} VALUES (@id, @customer, 'open', @cost, @at)", [("id", id), ("customer", id % 97), ("cost", cost), ("at", Start.AddSeconds(id))]);
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    private static async Task ExecuteAsync(DbProviderFactory factory, string connectionString, string sql, (string, object)[] parameters)
    {
        await using var connection = factory.CreateConnection()!;
        connection.ConnectionString = connectionString;
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static string Definition(DatabaseProvider provider) => $$"""
        {
          "id": "{{Dataset}}",
          "description": "Service tickets of the on-premise site, extracted incrementally from its database.",
          "source": {
            "format": "database",
            "database": { "connection": "onprem", "provider": "{{(provider == DatabaseProvider.Postgresql ? "postgresql" : "sqlite")}}", "table": "{{Table}}", "cursor": { "column": "updated_at" } }
          },
          "columns": [
            { "name": "ticket_id", "type": "int64", "nullable": false },
            { "name": "customer_id", "type": "int64", "nullable": false },
            { "name": "status", "type": "string", "nullable": false },
            { "name": "cost", "type": "decimal(10,2)" },
            { "name": "updated_at", "type": "timestamp", "nullable": false }
          ],
          "keys": ["ticket_id"],
          "write": { "mode": "merge" },
          "quality": { "rules": [{ "type": "allowed-values", "column": "status", "values": ["open", "closed"] }] }
        }
        """;
}
