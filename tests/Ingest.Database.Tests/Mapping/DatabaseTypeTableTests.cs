using System.Text.Json;
using Ingest.Database.Mapping;
using Ingest.Database.Tests.Infrastructure;
using Ingest.Definitions;
using Npgsql;

namespace Ingest.Database.Tests.Mapping;

/// <summary>
/// tests/conformance/database-types.json, the type table the Glue job's suite reads too (terraform/glue_ingest_job/tests/test_jdbc_source.py):
/// each PostgreSQL type is created in a real PostgreSQL and Npgsql must return the table's CLR type for it; for every provider the
/// schema types <see cref="ValueMapper.Accepts"/> lets that CLR type fill must be the table's <c>accepts</c>.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DatabaseTypeTableTests(PostgresServer postgres)
{
    private static readonly Lazy<JsonDocument> Table = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "conformance", "database-types.json"))));

    public static TheoryData<string, string> Entries()
    {
        var data = new TheoryData<string, string>();
        foreach (var entry in Table.Value.RootElement.GetProperty("types").EnumerateArray())
        {
            data.Add(entry.GetProperty("provider").GetString()!, entry.GetProperty("sourceType").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void Accepts_IsTheTablesForTheProvidersClrType(string provider, string sourceType)
    {
        var entry = Find(provider, sourceType);
        var clr = Type.GetType(entry.GetProperty("clrType").GetString()!, throwOnError: true)!;
        var schemaTypes = Table.Value.RootElement.GetProperty("schemaTypes").EnumerateArray().Select(t => t.GetString()!).ToList();

        var accepted = schemaTypes.Where(t => ValueMapper.Accepts(clr, ColumnType.Parse(t), Provider(provider))).ToList();

        accepted.Should().Equal(entry.GetProperty("accepts").EnumerateArray().Select(t => t.GetString()), "the table says what {0} {1} ({2}) may fill", provider, sourceType, clr);
    }

    [Fact]
    public async Task ClrType_IsWhatNpgsqlReturnsForEachPostgresType()
    {
        var db = await postgres.CreateDatabaseAsync();
        var entries = Table.Value.RootElement.GetProperty("types").EnumerateArray().Where(e => e.GetProperty("provider").GetString() == "postgresql").ToList();
        entries.Should().HaveCountGreaterThan(10);
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        foreach (var entry in entries)
        {
            var type = entry.GetProperty("sourceType").GetString()!;
            await using var command = new NpgsqlCommand($"SELECT CAST(NULL AS {type}) AS v", connection);
            await using var reader = await command.ExecuteReaderAsync();
            reader.GetFieldType(0).FullName.Should().Be(entry.GetProperty("clrType").GetString(), "Npgsql reads {0} as the table says", type);
        }
    }

    private static JsonElement Find(string provider, string sourceType)
        => Table.Value.RootElement.GetProperty("types").EnumerateArray().Single(e => e.GetProperty("provider").GetString() == provider && e.GetProperty("sourceType").GetString() == sourceType);

    private static DatabaseProvider Provider(string name) => name switch
    {
        "postgresql" => DatabaseProvider.Postgresql,
        "sql-server" => DatabaseProvider.SqlServer,
        _ => DatabaseProvider.Sqlite,
    };

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Ingest.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Ingest.sln not found above " + AppContext.BaseDirectory);
    }
}
