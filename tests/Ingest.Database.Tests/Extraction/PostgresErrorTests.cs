using System.Net;
using System.Net.Sockets;
using Ingest.Database.Tests.Infrastructure;
using Ingest.Ledger;
using Npgsql;

namespace Ingest.Database.Tests.Extraction;

/// <summary>
/// Every way a database source goes wrong ends in one error that names the dataset, the connection (never its password) and,
/// where there is one, the column; nothing is published and the watermark stays where it was.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresErrorTests(PostgresServer postgres) : IDisposable
{
    private readonly LakeHarness _lake = new();

    public void Dispose() => _lake.Dispose();

    [Fact]
    public async Task Run_UnreachableDatabase_FailsTransient_NamingTheConnectionWithoutPassword()
    {
        postgres.Require();
        var connection = new NpgsqlConnectionStringBuilder(postgres.ConnectionString()) { Port = ClosedPort(), Timeout = 3 }.ConnectionString;

        var error = await FailAsync(Orders.Definition(), connection);

        error.Message.Should().Contain("cannot connect").And.Contain("Host=127.0.0.1");
        error.IsTransient.Should().BeTrue();
    }

    [Fact]
    public async Task Run_WrongPassword_FailsNamingTheConnectionWithoutEitherPassword()
    {
        var db = await OrdersDatabaseAsync();
        var wrong = new NpgsqlConnectionStringBuilder(db) { Password = "not-the-password-42" }.ConnectionString;

        var error = await FailAsync(Orders.Definition(), wrong);

        error.Message.Should().Contain("password authentication failed").And.NotContain("not-the-password-42");
    }

    [Fact]
    public async Task Run_MissingTable_FailsNamingTheTable()
    {
        var db = await OrdersDatabaseAsync();

        var error = await FailAsync(Orders.Definition(table: "sales.missing"), db);

        error.Message.Should().Contain("cannot read table sales.missing").And.Contain("does not exist");
    }

    [Fact]
    public async Task Run_MissingColumn_FailsNamingTheColumnAndListingTheTablesColumns()
    {
        var db = await OrdersDatabaseAsync();
        var definition = Orders.Definition().Replace("""{ "name": "customer", "type": "string" }""", """{ "name": "customer", "type": "string", "sourceColumn": "customer_name" }""", StringComparison.Ordinal);

        var error = await FailAsync(definition, db);

        error.Message.Should().Contain("column 'customer_name' (schema column 'customer') does not exist in table sales.orders; it has: order_id, customer, amount, updated_at");
        error.Column.Should().Be("customer");
    }

    [Fact]
    public async Task Run_ColumnTypeThatCannotHoldTheSchemaType_FailsBeforeReadingRows()
    {
        var db = await OrdersDatabaseAsync();
        var definition = Orders.Definition().Replace("""{ "name": "customer", "type": "string" }""", """{ "name": "customer", "type": "int64" }""", StringComparison.Ordinal);

        var error = await FailAsync(definition, db);

        error.Message.Should().Contain("column 'customer' is text in the source").And.Contain("(int64)");
        error.Column.Should().Be("customer");
    }

    [Fact]
    public async Task Run_ValueThatDoesNotFit_FailsNamingColumnRowAndValue()
    {
        var db = await OrdersDatabaseAsync();

        var error = await FailAsync(Orders.Definition(amountType: "decimal(4,2)"), db);

        error.Should().BeOfType<DataValidationException>();
        error.Message.Should().Contain("column 'amount' (order_id = 100): 100.25 does not fit decimal(4,2): more than 2 digit(s) before the decimal point");
        error.Column.Should().Be("amount");
    }

    [Fact]
    public async Task Run_CursorSetBack_FailsAsNotMonotonic_AndKeepsTheWatermark()
    {
        var db = await OrdersDatabaseAsync();
        await _lake.RegisterAsync(Orders.Definition());
        var pipeline = _lake.Pipeline(Orders.Dataset, LakeHarness.Options((Orders.Connection, db)));
        await pipeline.ExtractAndRunAsync();
        await PostgresServer.ExecuteAsync(db, "DELETE FROM sales.orders WHERE order_id > 50");

        var run = async () => await pipeline.ExtractAndRunAsync();

        var error = (await run.Should().ThrowAsync<DataValidationException>()).Which;
        error.Message.Should().Contain("cursor column 'updated_at' of table sales.orders is not monotonic: its largest value is now 2024-05-01T08:00:50.0000000, below the watermark 2024-05-01T08:01:40.0000000");
        error.Message.Should().Contain("connection 'onprem'").And.NotContain(postgres.Password);
        (await _lake.WatermarkAsync(Orders.Dataset, Orders.WatermarkKey)).Should().Be("2024-05-01T08:01:40.0000000");
    }

    /// <summary>Runs a definition that must fail on its first run; checks the common promises (names, no password, nothing published).</summary>
    private async Task<IngestException> FailAsync(string definition, string connectionString)
    {
        await _lake.RegisterAsync(definition);
        var run = async () => await _lake.Pipeline(Orders.Dataset, LakeHarness.Options((Orders.Connection, connectionString))).ExtractAndRunAsync();

        var error = (await run.Should().ThrowAsync<IngestException>()).Which;
        error.Message.Should().StartWith($"Dataset {Orders.Dataset}, connection 'onprem' (PostgreSQL: ").And.NotContain(postgres.Password).And.NotContain("Password", "the connection is described without secrets");
        error.Message.Split('\n').Should().HaveCount(1, "one line");
        error.Dataset.Should().Be(Ingest.Definitions.DatasetId.Parse(Orders.Dataset));
        error.Location.Should().Be(Orders.Connection);
        _lake.Files("curated").Should().BeEmpty("nothing is published");
        (await _lake.WatermarkAsync(Orders.Dataset, Orders.WatermarkKey)).Should().BeNull();
        (await _lake.RunsAsync(Orders.Dataset)).Should().ContainSingle().Which.Status.Should().Be(RunStatus.Failed);
        return error;
    }

    private async Task<string> OrdersDatabaseAsync()
    {
        var db = await postgres.CreateDatabaseAsync();
        await PostgresServer.ExecuteAsync(db, Orders.CreateTable + Orders.Insert(1, 100));
        return db;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
