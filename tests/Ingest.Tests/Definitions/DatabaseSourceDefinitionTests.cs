using System.Text.Json.Nodes;
using Ingest.Definitions;
using static Ingest.Tests.Definitions.DefinitionDocuments;

namespace Ingest.Tests.Definitions;

/// <summary>The database source of a definition: what the validator refuses (every name that reaches SQL), and the JSON Schema agrees.</summary>
public sealed class DatabaseSourceDefinitionTests
{
    public static TheoryData<string, string, string> Violations => new()
    {
        { Db(_ => { }, format: "csv"), "$.source.database", "is only allowed with \"format\": \"database\"" },
        { Doc(d => d["source"] = new JsonObject { ["format"] = "database" }), "$.source.database", "is required when format is database" },
        { Db(db => db.Remove("table")), "$.source.database", "needs exactly one of table and query" },
        { Db(db => db["query"] = "SELECT 1"), "$.source.database", "needs exactly one of table and query" },
        { Db(db => db["connection"] = "Host=x;Password=y"), "$.source.database.connection", "the connection string itself belongs in configuration" },
        { Db(db => db["table"] = "a.b.c"), "$.source.database.table", "use table or schema.table" },
        { Db(db => db["table"] = "orders; DROP TABLE x"), "$.source.database.table", "is not a valid table name" },
        { Db(db => { db.Remove("table"); db["query"] = "DELETE FROM orders"; }), "$.source.database.query", "must be one SELECT" },
        { Db(db => { db.Remove("table"); db["query"] = "SELECT 1; SELECT 2"; }), "$.source.database.query", "must be a single statement" },
        { Db(db => db["cursor"] = new JsonObject { ["column"] = "missing" }), "$.source.database.cursor.column", "'missing' is not a column of the schema" },
        { Db(db => db["cursor"] = new JsonObject { ["column"] = "name" }), "$.source.database.cursor.column", "a cursor must be int32, int64, decimal, date or timestamp" },
        { Db(db => db["cursor"] = new JsonObject { ["column"] = "created_at", ["lag"] = -1 }), "$.source.database.cursor.lag", "must not be negative" },
        { Db(db => db["parallelism"] = 4), "$.source.database.partitionColumn", "is required when parallelism is above 1" },
        { Db(db => { db["parallelism"] = 4; db["partitionColumn"] = "amount"; }), "$.source.database.partitionColumn", "ranges need an int32 or int64 column" },
        { Db(db => db["parallelism"] = 64), "$.source.database.parallelism", "must be between 1 and 32" },
        { Db(_ => { }, edit: d => d["columns"]![1]!["sourceColumn"] = "full name"), "$.columns[1].sourceColumn", "is not a valid database column name" },
        { Db(db => db["provider"] = "sqlite", edit: d => d["engine"] = new JsonObject { ["kind"] = "glue" }), "$.source.database.provider", "the Glue job reads postgresql and sql-server over JDBC, not sqlite" },
    };

    [Theory]
    [InlineData("postgresql")]
    [InlineData("sql-server")]
    public void Deserialize_GlueDatasetReadingADatabaseTheJobReaches_IsAccepted(string provider)
    {
        // The Glue job reads these over JDBC (ingest_core/jdbc_source.py); only sqlite, a local file, is refused for it.
        var json = Db(db => { db["provider"] = provider; db["cursor"] = new JsonObject { ["column"] = "created_at", ["lag"] = 60 }; }, edit: d => d["engine"] = new JsonObject { ["kind"] = "glue" });

        var definition = DatasetDefinitionSerializer.Deserialize(json);

        definition.Engine.Kind.Should().Be(EngineKind.Glue);
        definition.Source.Database!.Cursor!.Lag.Should().Be(60);
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public void Deserialize_RuleViolated_ReportsPathAndExpectation(string json, string path, string phrase)
    {
        var errors = SerializerErrors(json);

        errors.Should().Contain(e => e.Path == path && e.Message.Contains(phrase, StringComparison.Ordinal),
            "expected an error at {0} saying \"{1}\" but got: {2}", path, phrase, string.Join(" | ", errors));
    }

    [Theory]
    [InlineData("""{"format":"csv","database":{"connection":"c","provider":"sqlite","table":"t"}}""")]
    [InlineData("""{"format":"database"}""")]
    [InlineData("""{"format":"database","database":{"connection":"c","provider":"oracle","table":"t"}}""")]
    [InlineData("""{"format":"database","database":{"connection":"c","provider":"sqlite","table":"t","query":"SELECT 1"}}""")]
    [InlineData("""{"format":"database","database":{"connection":"c","provider":"sqlite","table":"x y"}}""")]
    [InlineData("""{"format":"database","database":{"connection":"c","provider":"sqlite","table":"t","connectionString":"Password=x"}}""")]
    public void JsonSchema_InvalidDatabaseSource_IsRejected(string source)
    {
        var json = Doc(d => d["source"] = JsonNode.Parse(source));

        EvaluateSchema(json).IsValid.Should().BeFalse();
        var act = () => DatasetDefinitionSerializer.Deserialize(json);
        act.Should().Throw<DefinitionException>("the validator agrees with the schema");
    }

    [Fact]
    public void Serialize_DatabaseSource_RoundTripsEveryField()
    {
        var json = Db(db =>
        {
            db["cursor"] = new JsonObject { ["column"] = "created_at", ["lag"] = 30 };
            db["partitionColumn"] = "id";
            db["parallelism"] = 3;
            db["commandTimeoutSeconds"] = 600;
        });

        var definition = DatasetDefinitionSerializer.Deserialize(json);
        var again = DatasetDefinitionSerializer.Deserialize(DatasetDefinitionSerializer.Serialize(definition));

        again.Source.Database.Should().Be(new DatabaseSourceSettings
        {
            Connection = "erp",
            Provider = DatabaseProvider.SqlServer,
            Table = "dbo.Orders",
            Cursor = new DatabaseCursor { Column = "created_at", Lag = 30 },
            PartitionColumn = "id",
            Parallelism = 3,
            CommandTimeoutSeconds = 600,
        });
        DatasetDefinitionSerializer.Serialize(again).Should().Contain("\"provider\": \"sql-server\"");
        EvaluateSchema(json).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Example_ErpInvoices_IsValid_AndRoundTrips()
    {
        // Kept apart from docs/examples/*.json, which the Glue job's parser reads too: it does not know database sources.
        var json = File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "examples", "database", "erp.invoices.json"));

        var definition = DatasetDefinitionSerializer.Deserialize(json, "erp.invoices.json");

        EvaluateSchema(json).IsValid.Should().BeTrue(DescribeSchemaErrors(EvaluateSchema(json)));
        definition.Source.Database!.Cursor.Should().Be(new DatabaseCursor { Column = "changed_at", Lag = 60 });
        DatasetDefinitionSerializer.Fingerprint(DatasetDefinitionSerializer.Deserialize(DatasetDefinitionSerializer.Serialize(definition)))
            .Should().Be(DatasetDefinitionSerializer.Fingerprint(definition));
    }

    [Fact]
    public void Serialize_FileSource_WritesNoDatabaseMember_SoExistingFingerprintsStay()
    {
        var definition = DatasetDefinitionSerializer.Deserialize(Doc(_ => { }));

        DatasetDefinitionSerializer.Serialize(definition).Should().NotContain("database");
    }

    private static string Db(Action<JsonObject> editDatabase, string format = "database", Action<JsonObject>? edit = null) => Doc(d =>
    {
        var database = new JsonObject { ["connection"] = "erp", ["provider"] = "sql-server", ["table"] = "dbo.Orders" };
        editDatabase(database);
        d["source"] = new JsonObject { ["format"] = format, ["database"] = database };
        edit?.Invoke(d);
    });
}
