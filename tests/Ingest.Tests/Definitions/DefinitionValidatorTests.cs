using System.Text.Json.Nodes;
using Ingest.Definitions;
using static Ingest.Tests.Definitions.DefinitionDocuments;

namespace Ingest.Tests.Definitions;

public sealed class DefinitionValidatorTests
{
    /// <summary>One broken rule per row: the change, the JSON path of the error, and a phrase its message must contain.</summary>
    public static TheoryData<string, string, string> RuleViolations => new()
    {
        // columns
        { Doc(d => d["columns"]![1]!["name"] = "Customer Name"), "$.columns[1].name", "is not a valid column name" },
        {
            Doc(d => d["columns"]![1]!["name"] = "Cost Total $"), "$.columns[1].name",
            "'Cost Total $' is not a valid column name: use lower-case letters, digits and underscores, starting with a letter, at most 64 characters (^[a-z][a-z0-9_]{0,63}$); for a source column named like that, write \"name\": \"cost_total\", \"sourceColumn\": \"Cost Total $\"."
        },
        { Doc(d => { d["columns"]![1]!["optional"] = true; d["columns"]![1]!["nullable"] = false; }), "$.columns[1].optional", "cannot be optional and \"nullable\": false" },
        { Doc(d => d["source"]!["csv"] = new JsonObject { ["maxQuotedFieldLines"] = 0 }), "$.source.csv.maxQuotedFieldLines", "0 is out of range: expected 1 to 1000000." },
        { Doc(d => d["columns"]![1]!["name"] = "id"), "$.columns[1].name", "column 'id' is defined twice" },
        { Doc(d => d["columns"]![1]!["sourceColumn"] = ""), "$.columns[1].sourceColumn", "omit it to use the column name" },
        { Doc(d => d["columns"] = new JsonArray()), "$.columns", "at least one column is required" },
        { Doc(d => d["columns"]!.AsArray().Insert(0, null)), "$.columns[0]", "must be a column object, not null" },

        // keys
        { Doc(d => d["keys"] = new JsonArray("id", "missing")), "$.keys[1]", "'missing' is not a column of the schema" },
        { Doc(d => d["keys"] = new JsonArray("name")), "$.keys[0]", "must be declared \"nullable\": false" },

        // source
        { Doc(d => d["source"]!["csv"] = new JsonObject { ["delimiter"] = "||" }), "$.source.csv.delimiter", "must be exactly one character" },
        { Doc(d => d["source"]!["csv"] = new JsonObject { ["quote"] = "" }), "$.source.csv.quote", "must be exactly one character" },
        { Doc(d => d["source"]!["csv"] = new JsonObject { ["delimiter"] = "\"" }), "$.source.csv", "delimiter and quote must differ" },
        { Doc(d => d["source"]!["csv"] = new JsonObject { ["delimiter"] = "\n" }), "$.source.csv", "must not be line breaks" },
        { Doc(d => d["source"]!["csv"] = new JsonObject { ["columns"] = new JsonArray("a", "a") }), "$.source.csv.columns[1]", "non-empty and distinct" },
        { Doc(d => d["source"]!["csv"] = new JsonObject { ["header"] = false, ["columns"] = new JsonArray("id", "name", "amount", "created_at", "day") }), "$.columns[5]", "source column 'active' is not among source.csv.columns" },
        { Doc(d => d["source"]!["encoding"] = "ebcdic"), "$.source.encoding", "is not a supported encoding: use utf-8" },
        { Doc(d => d["source"]!["dateFormats"] = new JsonArray()), "$.source.dateFormats", "needs at least one non-empty format" },
        { Doc(d => d["source"]!["timestampFormats"] = new JsonArray(" ")), "$.source.timestampFormats", "leave the list empty for ISO 8601" },
        { Doc(d => d["source"]!["timeZone"] = "Mars/Olympus_Mons"), "$.source.timeZone", "is not a known time zone" },
        { Doc(d => d["source"]!["decimalSeparator"] = ";"), "$.source.decimalSeparator", "must be \".\" or \",\"" },
        { Doc(d => d["source"]!["groupSeparator"] = "."), "$.source.groupSeparator", "differ from the decimal separator" },
        { Doc(d => d["source"]!["nullMarkers"] = new JsonArray("", null)), "$.source.nullMarkers[1]", "must be a string, not null" },

        // partitioning
        { Doc(d => d["partitioning"] = JsonNode.Parse("""[{"column":"missing","transform":"day"}]""")), "$.partitioning[0].column", "'missing' is not a column of the schema" },
        { Doc(d => d["partitioning"] = JsonNode.Parse("""[{"column":"amount"}]""")), "$.partitioning[0].transform", "partition on it with day, month or year" },
        { Doc(d => d["partitioning"] = JsonNode.Parse("""[{"column":"created_at"}]""")), "$.partitioning[0].transform", "column 'created_at' is timestamp" },
        { Doc(d => d["partitioning"] = JsonNode.Parse("""[{"column":"name","transform":"month"}]""")), "$.partitioning[0].transform", "month needs a date or timestamp column; 'name' is string" },
        { Doc(d => d["partitioning"] = JsonNode.Parse("""[{"transform":"ingest-date","name":"Ingest"}]""")), "$.partitioning[0].name", "is not a valid partition name" },
        { Doc(d => d["partitioning"] = JsonNode.Parse("""[{"transform":"ingest-date"},{"column":"day","transform":"day","name":"ingest_date"}]""")), "$.partitioning[1].name", "partition 'ingest_date' is defined twice" },
        { Doc(d => d["partitioning"] = JsonNode.Parse("""[{"column":"created_at","transform":"day","name":"day"}]""")), "$.partitioning[0].name", "clashes with a column of the same name" },

        // write
        { Doc(d => d["write"] = new JsonObject { ["mode"] = "merge" }), "$.write.mode", "merge needs keys" },
        { Doc(d => d["write"] = new JsonObject { ["targetFileSizeMb"] = 5000 }), "$.write.targetFileSizeMb", "expected 1 to 4096" },
        { Doc(d => d["write"] = new JsonObject { ["rowGroupSizeMb"] = 0 }), "$.write.rowGroupSizeMb", "expected 1 to 1024" },

        // quality
        { Doc(d => d["quality"] = new JsonObject { ["maxRejectRatio"] = -0.1 }), "$.quality.maxRejectRatio", "expected 0 to 1" },
        { Doc(d => d["quality"] = Rules("""{"type":"range","column":"amount","min":"ten"}""")), "$.quality.rules[0].min", "'ten' is not a decimal(18,2) value in invariant form" },
        { Doc(d => d["quality"] = Rules("""{"type":"range","column":"day","max":"31.12.2024"}""")), "$.quality.rules[0].max", "is not a date value in invariant form" },
        { Doc(d => d["quality"] = Rules("""{"type":"range","column":"amount"}""")), "$.quality.rules[0]", "range needs min, max or both" },
        { Doc(d => d["quality"] = Rules("""{"type":"range","column":"name","min":"a"}""")), "$.quality.rules[0].column", "range needs a numeric, date or timestamp column" },
        { Doc(d => d["quality"] = Rules("""{"type":"not-null","column":"name"}""", """{"type":"not-null","column":"missing"}""")), "$.quality.rules[1].column", "'missing' is not a column of the schema" },
        { Doc(d => d["quality"] = Rules("""{"type":"not-null"}""")), "$.quality.rules[0].column", "is required" },
        { Doc(d => d["quality"] = Rules("""{"type":"regex","column":"name"}""")), "$.quality.rules[0].pattern", "regex needs a pattern" },
        { Doc(d => d["quality"] = Rules("""{"type":"regex","column":"name","pattern":"[a-"}""")), "$.quality.rules[0].pattern", "is not a valid regular expression" },
        { Doc(d => d["quality"] = Rules("""{"type":"allowed-values","column":"name"}""")), "$.quality.rules[0].values", "allowed-values needs at least one value" },
        { Doc(d => d["quality"] = Rules("""{"type":"allowed-values","column":"active","values":["true","yes"]}""")), "$.quality.rules[0].values[1]", "'yes' is not a boolean value" },
        { Doc(d => d["quality"] = Rules("""{"type":"unique"}""")), "$.quality.rules[0].columns", "unique needs columns (or column)" },
        { Doc(d => d["quality"] = Rules("""{"type":"unique","columns":["id","nope"]}""")), "$.quality.rules[0].columns", "'nope' is not a column of the schema" },
        { Doc(d => d["quality"] = Rules("null")), "$.quality.rules[0]", "must be a rule object, not null" },

        // catalog and engine
        { Doc(d => d["catalog"] = new JsonObject { ["database"] = "Sales-DB" }), "$.catalog.database", "is not a valid database name" },
        { Doc(d => d["catalog"] = new JsonObject { ["table"] = "9orders" }), "$.catalog.table", "is not a valid table name" },
        { Doc(d => d["catalog"] = new JsonObject { ["workgroup"] = "" }), "$.catalog.workgroup", "is not a valid Athena workgroup name" },
        { Doc(d => d["engine"] = new JsonObject { ["memoryBudgetMb"] = 100000 }), "$.engine.memoryBudgetMb", "expected 16 to 65536" },
        { Doc(d => d["engine"] = Glue("workerType", "G.3X")), "$.engine.glue.workerType", "expected one of G.1X, G.2X, G.4X, G.8X" },
        { Doc(d => d["engine"] = Glue("workerType", "G.025X")), "$.engine.glue.workerType", "G.025X is for Glue streaming jobs only" },
        { Doc(d => d["engine"] = Glue("workerType", "Z.2X")), "$.engine.glue.workerType", "Z.2X is for Glue Ray jobs only" },
        { Doc(d => d["engine"] = Glue("numberOfWorkers", 1)), "$.engine.glue.numberOfWorkers", "expected 2 to 1000" },
        { Doc(d => d["engine"] = Glue("timeoutMinutes", 0)), "$.engine.glue.timeoutMinutes", "expected 1 to 2880" },
        { Doc(d => d["engine"] = Glue("maxRetries", 11)), "$.engine.glue.maxRetries", "expected 0 to 10" },
        { Doc(d => d["engine"] = Glue("glueVersion", " ")), "$.engine.glue.glueVersion", "is required (for example 5.0)" },
        // what the Glue job cannot honour is refused when the dataset is added, each naming the member and the fix
        { Doc(d => { d["engine"] = OnGlue(); d["keys"] = new JsonArray("id"); d["write"] = new JsonObject { ["mode"] = "merge" }; d["table"] = new JsonObject { ["format"] = "hive" }; }), "$.write.mode", "the Glue job merges Iceberg tables only (MERGE INTO), not the files of a Hive table: set table.format to iceberg, or set engine.kind to local" },
        { Doc(d => { d["engine"] = OnGlue(); d["keys"] = new JsonArray("id"); d["write"] = new JsonObject { ["mode"] = "merge" }; }), "$.write.mode", "set table.format to iceberg" },
        { Doc(d => { d["engine"] = OnGlue(); d["write"] = new JsonObject { ["targetFileSizeMb"] = 256 }; }), "$.write.targetFileSizeMb", "the Glue job does not size its files" },
        { Doc(d => d["engine"] = new JsonObject { ["kind"] = "glue", ["glue"] = new JsonObject { ["glueVersion"] = "4.0" } }), "$.engine.glue.glueVersion", "the Glue job is deployed as Glue 5.0" },
    };

    [Theory]
    [MemberData(nameof(RuleViolations))]
    public void Deserialize_RuleViolated_ReportsPathAndExpectation(string json, string path, string phrase)
    {
        var errors = SerializerErrors(json);

        errors.Should().Contain(e => e.Path == path && e.Message.Contains(phrase, StringComparison.Ordinal),
            "expected an error at {0} saying \"{1}\" but got: {2}", path, phrase, string.Join(" | ", errors));
    }

    [Fact]
    public void Deserialize_SeveralProblems_ReportsEachOnce()
    {
        var json = Doc(d =>
        {
            d["columns"]![1]!["name"] = "Bad";
            d["write"] = new JsonObject { ["mode"] = "merge" };
            d["catalog"] = new JsonObject { ["table"] = "T" };
        });

        var errors = SerializerErrors(json);

        errors.Select(e => e.Path).Should().BeEquivalentTo("$.columns[1].name", "$.write.mode", "$.catalog.table");
    }

    [Fact]
    public void Deserialize_SeveralProblems_ExceptionMessageCountsAndListsThem()
    {
        var json = Doc(d => { d["keys"] = new JsonArray("nope"); d["quality"] = new JsonObject { ["maxRejectRatio"] = 2 }; });

        var act = () => DatasetDefinitionSerializer.Deserialize(json, "orders.json");

        act.Should().Throw<DefinitionException>()
            .WithMessage("Invalid dataset definition orders.json: 2 problems: $.keys[0]: *; $.quality.maxRejectRatio: *")
            .Which.Location.Should().Be("orders.json");
    }

    [Fact]
    public void EnsureValid_DefinitionBuiltInCode_ReportsPaths()
    {
        var definition = new DatasetDefinition
        {
            Id = DatasetId.Parse("sales.orders"),
            Source = new SourceDefinition { Format = SourceFormat.Csv },
            Columns = [new ColumnDefinition { Name = "id", Type = ColumnType.Int64 }],
            Keys = ["id"],
        };

        var act = () => DatasetDefinitionSerializer.EnsureValid(definition);

        act.Should().Throw<DefinitionException>().Which.Errors.Should().ContainSingle()
            .Which.Should().Be(new DefinitionError("$.keys[0]", "key column 'id' must be declared \"nullable\": false."));
    }

    [Fact]
    public void EnsureValid_DefaultId_ReportsIdRequired()
    {
        var definition = new DatasetDefinition
        {
            Id = default,
            Source = new SourceDefinition { Format = SourceFormat.Parquet },
            Columns = [new ColumnDefinition { Name = "id", Type = ColumnType.Int64 }],
        };

        var act = () => DatasetDefinitionSerializer.EnsureValid(definition);

        act.Should().Throw<DefinitionException>().Which.Errors.Should().ContainSingle().Which.Path.Should().Be("$.id");
    }

    [Fact]
    public void Deserialize_IdentityPartitionOnDate_IsAccepted()
    {
        var definition = DatasetDefinitionSerializer.Deserialize(Doc(d => d["partitioning"] = JsonNode.Parse("""[{"column":"day"}]""")));

        definition.Partitioning.Should().ContainSingle().Which.EffectiveName.Should().Be("day");
    }

    private static JsonObject Rules(params string[] rules)
        => new() { ["rules"] = JsonNode.Parse("[" + string.Join(",", rules) + "]") };

    private static JsonObject OnGlue() => new() { ["kind"] = "glue" };

    [Fact]
    public void Deserialize_GlueDatasetWithOnlyWhatTheJobDoes_IsAccepted()
    {
        // The refusals above are specific: the same features on the in-process engine, and append on Glue, pass.
        // The job's own CSV reader (ingest_core.records) limits quoted fields as CsvSourceReader does.
        var onGlue = DatasetDefinitionSerializer.Deserialize(Doc(d => { d["engine"] = OnGlue(); d["write"] = new JsonObject { ["rowGroupSizeMb"] = 64 }; d["source"]!["csv"] = new JsonObject { ["maxQuotedFieldLines"] = 5 }; }));
        var local = DatasetDefinitionSerializer.Deserialize(Doc(d => { d["keys"] = new JsonArray("id"); d["write"] = new JsonObject { ["mode"] = "merge", ["targetFileSizeMb"] = 256 }; }));

        onGlue.Engine.Kind.Should().Be(EngineKind.Glue);
        onGlue.Source.Csv.MaxQuotedFieldLines.Should().Be(5);
        local.Write.Mode.Should().Be(WriteMode.Merge);
    }

    [Theory]
    [InlineData("iceberg", "append")]
    [InlineData("iceberg", "overwrite-partitions")]
    [InlineData("iceberg", "merge")]
    [InlineData("hive", "overwrite-partitions")]
    public void Deserialize_GlueDatasetInAWriteModeTheJobImplements_IsAccepted(string format, string mode)
    {
        // The Glue job writes Iceberg tables in every mode (MERGE INTO on the keys) and replaces Hive partitions.
        var onGlue = DatasetDefinitionSerializer.Deserialize(Doc(d =>
        {
            d["engine"] = OnGlue();
            d["keys"] = new JsonArray("id");
            d["write"] = new JsonObject { ["mode"] = mode };
            d["table"] = new JsonObject { ["format"] = format };
        }));

        (onGlue.Engine.Kind, onGlue.TableFormat, onGlue.Write.Mode).Should().Be((EngineKind.Glue, format == "iceberg" ? TableFormat.Iceberg : TableFormat.Hive, mode switch
        {
            "append" => WriteMode.Append,
            "merge" => WriteMode.Merge,
            _ => WriteMode.OverwritePartitions,
        }));
    }

    private static JsonObject Glue(string member, JsonNode value)
        => new() { ["glue"] = new JsonObject { [member] = value } };
}
