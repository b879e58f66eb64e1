using System.Data;
using Ingest.Database.Connections;
using Ingest.Database.Extraction;
using Ingest.Database.Mapping;
using Ingest.Definitions;
using Microsoft.Data.SqlClient;

namespace Ingest.Database.Tests.Mapping;

/// <summary>
/// SQL Server, without a server (none can run on this machine): the mapping is tested on the CLR values Microsoft.Data.SqlClient
/// returns for each SQL Server type (its documented type mapping: datetimeoffset → DateTimeOffset, datetime2 → DateTime of kind
/// Unspecified, bit → bool, tinyint → byte, money → decimal, uniqueidentifier → Guid), the dialect and parameters on real
/// SqlClient objects, and a connection attempt to a port where nothing listens.
/// </summary>
public sealed class SqlServerMappingTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    public static TheoryData<object, string, string> Values => new()
    {
        { 1234.5600m, "decimal(18,4)", "1234.5600" },
        { 922337203685477.5807m, "decimal(19,4)", "922337203685477.5807" },
        { (byte)255, "int32", "255" },
        { (short)-5, "int64", "-5" },
        { true, "boolean", "true" },
        { (byte)1, "boolean", "true" },
        { new Guid("6f9619ff-8b86-d011-b42d-00c04fc964ff"), "string", "6f9619ff-8b86-d011-b42d-00c04fc964ff" },
        { "nvarchar ✓", "string", "nvarchar ✓" },
        { new DateTime(2024, 1, 15, 12, 0, 0, DateTimeKind.Unspecified).AddTicks(1234567), "timestamp", "2024-01-15T11:00:00.123456Z" },
        { new DateTimeOffset(2024, 7, 1, 12, 0, 0, TimeSpan.FromHours(-5)), "timestamp", "2024-07-01T17:00:00.000000Z" },
        { new DateTime(2024, 2, 29, 0, 0, 0, DateTimeKind.Unspecified), "date", "2024-02-29" },
        { 1.5f, "double", "1.5" },
        { 2.25d, "float", "2.25" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Value_AsSqlClientReturnsIt_MapsToTheSchemaType(object native, string schemaType, string expected)
    {
        var error = ValueMapper.TryConvert(native, ColumnType.Parse(schemaType), Berlin, out var value);

        error.Should().BeNull();
        InvariantValues.Format(value).Should().Be(expected);
        value.Should().BeOfType(InvariantValues.ClrType(ColumnType.Parse(schemaType)));
    }

    [Theory]
    [InlineData(typeof(DateTimeOffset), "timestamp", true)]
    [InlineData(typeof(DateTime), "timestamp", true)]
    [InlineData(typeof(Guid), "string", true)]
    [InlineData(typeof(byte), "boolean", true)]
    [InlineData(typeof(string), "int64", false)]
    [InlineData(typeof(Guid), "int64", false)]
    [InlineData(typeof(byte[]), "string", false)]
    [InlineData(typeof(TimeSpan), "timestamp", false)]
    public void Accepts_SqlServerColumnTypes(Type native, string schemaType, bool expected)
        => ValueMapper.Accepts(native, ColumnType.Parse(schemaType), DatabaseProvider.SqlServer).Should().Be(expected);

    [Fact]
    public void Dialect_QuotesWithBrackets_AndEscapesTheClosingBracket()
    {
        var dialect = SqlDialect.For(DatabaseProvider.SqlServer);

        dialect.QuoteTable("dbo.Orders").Should().Be("[dbo].[Orders]");
        dialect.Quote("a]b").Should().Be("[a]]b]");
    }

    [Fact]
    public void Parameter_DateTime_IsSentAsDateTime2_SoWatermarksAreNotRoundedToDatetime()
    {
        using var command = new SqlCommand();

        SqlDialect.For(DatabaseProvider.SqlServer).AddParameter(command, "cursor_lower", new DateTime(2024, 1, 1, 0, 0, 0, 1));

        var parameter = command.Parameters["@cursor_lower"];
        parameter.DbType.Should().Be(DbType.DateTime2);
        parameter.SqlDbType.Should().Be(SqlDbType.DateTime2);
    }

    [Fact]
    public void Describe_RemovesThePassword()
    {
        var text = ConnectionResolution.Describe(SqlClientFactory.Instance, "erp", DatabaseProvider.SqlServer, "Server=tcp:erp.local,1433;Database=erp;User ID=ingest;Password=s3cr3t!;Encrypt=true");

        text.Should().StartWith("connection 'erp' (SQL Server: ").And.Contain("erp.local").And.Contain("User ID=ingest").And.NotContain("s3cr3t!").And.NotContain("Password");
    }

    [Fact]
    public async Task Connect_NothingListening_FailsNamingTheConnectionWithoutPassword()
    {
        using var lake = new Infrastructure.LakeHarness();
        await lake.RegisterAsync("""
            {
              "id": "erp.orders",
              "source": { "format": "database", "database": { "connection": "erp", "provider": "sql-server", "table": "dbo.Orders" } },
              "columns": [ { "name": "id", "type": "int64" } ]
            }
            """);
        var options = Infrastructure.LakeHarness.Options(("erp", "Server=tcp:127.0.0.1,1;Database=erp;User ID=ingest;Password=s3cr3t!;Connect Timeout=2;Encrypt=false"));

        var run = async () => await lake.Pipeline("erp.orders", options).ExtractAndRunAsync();

        var error = (await run.Should().ThrowAsync<IngestException>()).Which;
        error.Message.Should().StartWith("Dataset erp.orders, connection 'erp' (SQL Server: ").And.Contain("cannot connect").And.NotContain("s3cr3t!");
        lake.Files("curated").Should().BeEmpty();
    }
}
