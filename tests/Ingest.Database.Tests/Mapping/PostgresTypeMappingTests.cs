using Ingest.Database.Tests.Infrastructure;

namespace Ingest.Database.Tests.Mapping;

/// <summary>
/// One PostgreSQL type per case: a one-column table with one value, extracted into a schema column, read back from the curated
/// Parquet by DuckDB as text. Covers numeric precision, integers, floats, booleans, text, GUIDs, dates and timestamps with and
/// without a time zone (the latter read in <c>source.timeZone</c>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTypeMappingTests(PostgresServer postgres) : IDisposable
{
    private readonly LakeHarness _lake = new();

    public void Dispose() => _lake.Dispose();

    [Theory]
    [InlineData("numeric(18,4)", "12345678901234.5678", "decimal(18,4)", "12345678901234.5678")]
    [InlineData("numeric(18,4)", "12.5000", "decimal(10,2)", "12.50")]
    [InlineData("numeric", "-0.000000000001", "decimal(28,12)", "-0.000000000001")]
    [InlineData("numeric(38,0)", "9999999999999999999999999999", "decimal(28,0)", "9999999999999999999999999999")]
    [InlineData("money", "12.34", "decimal(10,2)", "12.34")]
    [InlineData("smallint", "-32768", "int32", "-32768")]
    [InlineData("integer", "2147483647", "int32", "2147483647")]
    [InlineData("bigint", "-9223372036854775808", "int64", "-9223372036854775808")]
    [InlineData("integer", "7", "int64", "7")]
    [InlineData("numeric(10,0)", "123456", "int64", "123456")]
    [InlineData("real", "1.5", "float", "1.5")]
    [InlineData("double precision", "0.1", "double", "0.1")]
    [InlineData("integer", "3", "double", "3.0")]
    [InlineData("boolean", "true", "boolean", "true")]
    [InlineData("boolean", "false", "boolean", "false")]
    [InlineData("text", "'Grüße, \"quoted\"\n'", "string", "Grüße, \"quoted\"\n")]
    [InlineData("varchar(10)", "''", "string", "")]
    [InlineData("char(4)", "'ab'", "string", "ab  ")]
    [InlineData("uuid", "'6f9619ff-8b86-d011-b42d-00c04fc964ff'", "string", "6f9619ff-8b86-d011-b42d-00c04fc964ff")]
    [InlineData("date", "'2024-02-29'", "date", "2024-02-29")]
    [InlineData("timestamp", "'2024-05-01 10:15:30.123456'", "timestamp", "2024-05-01 10:15:30.123456")]
    [InlineData("timestamptz", "'2024-05-01 10:15:30.5+02'", "timestamp", "2024-05-01 08:15:30.5")]
    [InlineData("date", "'2024-05-01'", "timestamp", "2024-05-01 00:00:00")]
    [InlineData("timestamp", "'2024-05-01 00:00:00'", "date", "2024-05-01")]
    [InlineData("integer", "42", "string", "42")]
    public async Task Value_MapsToTheSchemaType(string pgType, string literal, string schemaType, string expected)
    {
        var value = await ExtractAsync(pgType, literal, schemaType);

        value.Should().Be(expected);
    }

    [Fact]
    public async Task TimestampWithoutTimeZone_IsReadInTheSourceTimeZone()
    {
        var value = await ExtractAsync("timestamp", "'2024-07-01 12:00:00'", "timestamp", timeZone: "Europe/Berlin");

        value.Should().Be("2024-07-01 10:00:00", "12:00 in Berlin (summer, UTC+2) is 10:00 UTC");
    }

    [Fact]
    public async Task TimestampWithTimeZone_IsAnInstant_WhateverTheSourceTimeZone()
    {
        var value = await ExtractAsync("timestamptz", "'2024-07-01 12:00:00+00'", "timestamp", timeZone: "Europe/Berlin");

        value.Should().Be("2024-07-01 12:00:00");
    }

    [Fact]
    public async Task Null_StaysNull()
    {
        var value = await ExtractAsync("numeric(5,2)", "NULL", "decimal(5,2)");

        value.Should().BeNull();
    }

    [Theory]
    [InlineData("numeric(10,3)", "1.234", "decimal(10,2)", "1.234 does not fit decimal(10,2): more than 2 decimal place(s)")]
    [InlineData("bigint", "3000000000", "int32", "3000000000 is out of the int32 range")]
    [InlineData("numeric(10,2)", "1.5", "int64", "1.50 has a fraction; the column is int64")]
    [InlineData("timestamp", "'2024-05-01 10:00:00'", "date", "has a time of day; the column is a date")]
    [InlineData("timestamp", "'2024-03-31 02:30:00'", "timestamp", "does not exist in time zone Europe/Berlin (a daylight-saving gap)")]
    [InlineData("numeric", "123456789012345678901234567890.5", "decimal(28,2)", "cannot be read as a .NET value")]
    [InlineData("integer", "2", "boolean", "2 expected a boolean (or 0/1)")]
    public async Task Value_ThatDoesNotFit_FailsTheRunNamingTheColumn(string pgType, string literal, string schemaType, string expected)
    {
        var run = () => ExtractAsync(pgType, literal, schemaType, timeZone: "Europe/Berlin");

        var error = (await run.Should().ThrowAsync<DataValidationException>()).Which;
        error.Message.Should().Contain("column 'v' (id = 1)").And.Contain(expected);
        error.Column.Should().Be("v");
    }

    [Theory]
    [InlineData("text", "int64")]
    [InlineData("boolean", "timestamp")]
    [InlineData("bytea", "string")]
    [InlineData("timestamp", "int32")]
    public async Task Type_ThatCannotHoldTheSchemaType_IsRefusedBeforeAnyRow(string pgType, string schemaType)
    {
        var run = () => ExtractAsync(pgType, "NULL", schemaType);

        var error = (await run.Should().ThrowAsync<IngestException>()).Which;
        error.Message.Should().Contain($"column 'v' is ").And.Contain($"({schemaType})");
    }

    private async Task<string?> ExtractAsync(string pgType, string literal, string schemaType, string timeZone = "UTC")
    {
        var db = await postgres.CreateDatabaseAsync();
        await PostgresServer.ExecuteAsync(db, $"CREATE TABLE t (id int PRIMARY KEY, v {pgType}); INSERT INTO t VALUES (1, {literal});");
        await _lake.RegisterAsync($$"""
            {
              "id": "types.t",
              "source": { "format": "database", "timeZone": "{{timeZone}}", "database": { "connection": "pg", "provider": "postgresql", "table": "t" } },
              "columns": [ { "name": "id", "type": "int32", "nullable": false }, { "name": "v", "type": "{{schemaType}}" } ],
              "keys": ["id"]
            }
            """);
        var run = await _lake.Pipeline("types.t", LakeHarness.Options(("pg", db))).ExtractAndRunAsync();
        run.Run.RowsWritten.Should().Be(1, "the row is written, not quarantined");
        return (string?)await _lake.ScalarAsync("select cast(v as varchar) from types.t");
    }
}
