using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ingest.Definitions;
using Json.Schema;

namespace Ingest.Tests.Definitions;

public sealed class JsonSchemaTests
{
    /// <summary>Documents both the serializer and the JSON Schema must refuse, each a change to the minimal definition.</summary>
    public static TheoryData<string, string> InvalidDocuments => new()
    {
        { "unknown top-level member", DefinitionDocuments.Doc(d => d["owner"] = "team-a") },
        { "unknown nested member", DefinitionDocuments.Doc(d => d["source"]!["delimiter"] = ";") },
        { "unknown column member", DefinitionDocuments.Doc(d => d["columns"]![0]!["format"] = "x") },
        { "PascalCase member", DefinitionDocuments.Doc(d => { d["Columns"] = d["columns"]!.DeepClone(); d.Remove("columns"); }) },
        { "computed member catalogTable", DefinitionDocuments.Doc(d => d["catalogTable"] = "orders") },
        { "format not a name", DefinitionDocuments.Doc(d => d["source"]!["format"] = "json lines") },
        { "enum in PascalCase", DefinitionDocuments.Doc(d => d["source"]!["format"] = "JsonLines") },
        { "enum in snake_case", DefinitionDocuments.Doc(d => d["write"] = new JsonObject { ["mode"] = "overwrite_partitions" }) },
        { "enum as flags", DefinitionDocuments.Doc(d => d["write"] = new JsonObject { ["mode"] = "append, overwrite-partitions" }) },
        { "enum as integer", DefinitionDocuments.Doc(d => d["write"] = new JsonObject { ["compression"] = 1 }) },
        { "bad rule action", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"not-null","column":"name","action":"warn"}]}""")) },
        { "bad type string", DefinitionDocuments.Doc(d => d["columns"]![1]!["type"] = "varchar") },
        { "bad type int", DefinitionDocuments.Doc(d => d["columns"]![1]!["type"] = "int") },
        { "decimal precision too large", DefinitionDocuments.Doc(d => d["columns"]![2]!["type"] = "decimal(29,2)") },
        { "decimal scale above precision", DefinitionDocuments.Doc(d => d["columns"]![2]!["type"] = "decimal(5,6)") },
        { "decimal without scale", DefinitionDocuments.Doc(d => d["columns"]![2]!["type"] = "decimal(18)") },
        { "type as number", DefinitionDocuments.Doc(d => d["columns"]![2]!["type"] = 5) },
        { "id without dot", DefinitionDocuments.Doc(d => d["id"] = "orders") },
        { "id with upper case", DefinitionDocuments.Doc(d => d["id"] = "Sales.Orders") },
        { "id with two dots", DefinitionDocuments.Doc(d => d["id"] = "sales.orders.v2") },
        { "id starting with digit", DefinitionDocuments.Doc(d => d["id"] = "1sales.orders") },
        { "id too long", DefinitionDocuments.Doc(d => d["id"] = "sales." + new string('a', 65)) },
        { "id missing", DefinitionDocuments.Doc(d => d.Remove("id")) },
        { "source missing", DefinitionDocuments.Doc(d => d.Remove("source")) },
        { "format missing", DefinitionDocuments.Doc(d => d["source"] = new JsonObject()) },
        { "columns empty", DefinitionDocuments.Doc(d => d["columns"] = new JsonArray()) },
        { "column type missing", DefinitionDocuments.Doc(d => d["columns"]![1]!.AsObject().Remove("type")) },
        { "column name invalid", DefinitionDocuments.Doc(d => d["columns"]![1]!["name"] = "Name") },
        { "number as string", DefinitionDocuments.Doc(d => d["write"] = new JsonObject { ["targetFileSizeMb"] = "64" }) },
        { "boolean as string", DefinitionDocuments.Doc(d => d["columns"]![1]!["nullable"] = "false") },
        { "null for a list", DefinitionDocuments.Doc(d => d["keys"] = null) },
        { "null list element", DefinitionDocuments.Doc(d => d["columns"]!.AsArray().Add(null)) },
        { "min as boolean", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"range","column":"amount","min":true}]}""")) },
        { "merge without keys", DefinitionDocuments.Doc(d => d["write"] = new JsonObject { ["mode"] = "merge" }) },
        { "target file size out of range", DefinitionDocuments.Doc(d => d["write"] = new JsonObject { ["targetFileSizeMb"] = 0 }) },
        { "reject ratio above one", DefinitionDocuments.Doc(d => d["quality"] = new JsonObject { ["maxRejectRatio"] = 1.5 }) },
        { "unsupported encoding", DefinitionDocuments.Doc(d => d["source"]!["encoding"] = "ebcdic") },
        { "two-character delimiter", DefinitionDocuments.Doc(d => d["source"]!["csv"] = new JsonObject { ["delimiter"] = ";;" }) },
        { "decimal separator", DefinitionDocuments.Doc(d => d["source"]!["decimalSeparator"] = "'") },
        { "group equals decimal separator", DefinitionDocuments.Doc(d => d["source"]!["groupSeparator"] = ".") },
        { "no date formats", DefinitionDocuments.Doc(d => d["source"]!["dateFormats"] = new JsonArray()) },
        { "partition without column", DefinitionDocuments.Doc(d => d["partitioning"] = JsonNode.Parse("""[{"transform":"day"}]""")) },
        { "partition name invalid", DefinitionDocuments.Doc(d => d["partitioning"] = JsonNode.Parse("""[{"transform":"ingest-date","name":"Ingest Date"}]""")) },
        { "range without bounds", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"range","column":"amount"}]}""")) },
        { "regex without pattern", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"regex","column":"name"}]}""")) },
        { "allowed-values without values", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"allowed-values","column":"name"}]}""")) },
        { "unique without columns", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"unique"}]}""")) },
        { "not-null without column", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"not-null"}]}""")) },
        { "catalog table invalid", DefinitionDocuments.Doc(d => d["catalog"] = new JsonObject { ["table"] = "Orders" }) },
        { "workgroup invalid", DefinitionDocuments.Doc(d => d["catalog"] = new JsonObject { ["workgroup"] = "my workgroup" }) },
        { "glue worker type", DefinitionDocuments.Doc(d => d["engine"] = JsonNode.Parse("""{"glue":{"workerType":"G.3X"}}""")) },
        { "glue one worker", DefinitionDocuments.Doc(d => d["engine"] = JsonNode.Parse("""{"glue":{"numberOfWorkers":1}}""")) },
        { "memory budget too small", DefinitionDocuments.Doc(d => d["engine"] = new JsonObject { ["memoryBudgetMb"] = 8 }) },
        { "document is an array", "[]" },
    };

    /// <summary>Valid documents both must accept, including every member spelled out and every nullable member as null.</summary>
    public static TheoryData<string, string> ValidDocuments => new()
    {
        { "minimal", DefinitionDocuments.Doc(_ => { }) },
        { "nullable members as null", DefinitionDocuments.Doc(d =>
            {
                d["description"] = null;
                d["columns"]![1]!["sourceColumn"] = null;
                d["columns"]![1]!["description"] = null;
                d["source"]!["groupSeparator"] = null;
                d["catalog"] = new JsonObject { ["database"] = null, ["table"] = null };
                d["partitioning"] = JsonNode.Parse("""[{"transform":"ingest-date","column":null,"name":null}]""");
                d["quality"] = JsonNode.Parse("""{"rules":[{"type":"range","column":"amount","name":null,"min":0,"max":null,"pattern":null}]}""");
            }) },
        { "merge with keys", DefinitionDocuments.Doc(d => { d["keys"] = new JsonArray("id"); d["write"] = new JsonObject { ["mode"] = "merge" }; }) },
        { "min and max as strings", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"range","column":"day","min":"2020-01-01","max":"2030-12-31"}]}""")) },
        { "unique on one column", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"unique","column":"id"}]}""")) },
        { "tab delimiter", DefinitionDocuments.Doc(d => d["source"]!["csv"] = new JsonObject { ["delimiter"] = "\\t" }) },
        { "decimal comma with dot groups", DefinitionDocuments.Doc(d => { d["source"]!["decimalSeparator"] = ","; d["source"]!["groupSeparator"] = "."; }) },
        { "largest decimal", DefinitionDocuments.Doc(d => d["columns"]![2]!["type"] = "decimal(28,28)") },
        { "ingest-date ignores column", DefinitionDocuments.Doc(d => d["partitioning"] = JsonNode.Parse("""[{"transform":"ingest-date","column":"anything"}]""")) },
    };

    [Fact]
    public void JsonSchema_Embedded_IsValidDraft202012Schema()
    {
        using var document = JsonDocument.Parse(DatasetDefinitionSerializer.JsonSchema);

        document.RootElement.GetProperty("$schema").GetString().Should().Be("https://json-schema.org/draft/2020-12/schema");
        var results = MetaSchemas.Draft202012.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        results.IsValid.Should().BeTrue(DefinitionDocuments.DescribeSchemaErrors(results));
    }

    [Theory]
    [MemberData(nameof(InvalidDocuments))]
    public void SchemaAndSerializer_InvalidDocument_BothReject(string scenario, string json)
    {
        var results = DefinitionDocuments.EvaluateSchema(json);
        var act = () => DatasetDefinitionSerializer.Deserialize(json);

        results.IsValid.Should().BeFalse($"the schema must reject: {scenario}");
        act.Should().Throw<DefinitionException>($"the serializer must reject: {scenario}");
    }

    [Theory]
    [MemberData(nameof(ValidDocuments))]
    public void SchemaAndSerializer_ValidDocument_BothAccept(string scenario, string json)
    {
        var results = DefinitionDocuments.EvaluateSchema(json);
        var act = () => DatasetDefinitionSerializer.Deserialize(json);

        results.IsValid.Should().BeTrue($"{scenario}: {DefinitionDocuments.DescribeSchemaErrors(results)}");
        act.Should().NotThrow(scenario);
    }

    [Fact]
    public void JsonSchema_EveryProperty_HasDescription()
    {
        var missing = new List<string>();
        Walk(JsonNode.Parse(DatasetDefinitionSerializer.JsonSchema)!, "#", missing, inConditional: false);

        missing.Should().BeEmpty();
    }

    [Fact]
    public void JsonSchema_PropertiesWithCSharpDefault_DeclareTheSameDefault()
    {
        var defaults = new Dictionary<string, JsonNode?>();
        CollectDefaults(JsonNode.Parse(DatasetDefinitionSerializer.JsonSchema)!, string.Empty, defaults);
        var minimal = DatasetDefinitionSerializer.Deserialize(DefinitionDocuments.Doc(_ => { }));
        var written = JsonNode.Parse(DatasetDefinitionSerializer.Serialize(minimal))!;

        var expected = new[]
        {
            "keys", "partitioning", "write", "quality", "catalog", "engine", "engine.glue", "source.csv",
            "source.encoding", "source.nullMarkers", "source.dateFormats", "source.timestampFormats", "source.timeZone",
            "source.decimalSeparator", "source.csv.delimiter", "source.csv.quote", "source.csv.header", "source.csv.columns",
            "write.mode", "write.targetFileSizeMb", "write.rowGroupSizeMb", "write.compression",
            "quality.maxRejectRatio", "quality.rules", "catalog.partitionStrategy", "catalog.workgroup",
            "engine.kind", "engine.memoryBudgetMb", "engine.glue.glueVersion", "engine.glue.workerType",
            "engine.glue.numberOfWorkers", "engine.glue.timeoutMinutes", "engine.glue.maxRetries",
        };
        foreach (var path in expected)
        {
            defaults.Should().ContainKey(path);
            var actual = path.Split('.').Aggregate(written, (node, name) => node[name]!);
            JsonNode.DeepEquals(defaults[path], actual).Should().BeTrue($"the schema default of {path} is {defaults[path]?.ToJsonString()} but the serializer writes {actual.ToJsonString()}");
        }
    }

    [Fact]
    public void JsonSchema_ColumnTypePattern_AgreesWithColumnTypeTryParse()
    {
        var pattern = JsonNode.Parse(DatasetDefinitionSerializer.JsonSchema)!["$defs"]!["columnType"]!["pattern"]!.GetValue<string>();
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        var candidates = new List<string> { "string", "boolean", "int32", "int64", "float", "double", "date", "timestamp", "int", "long", "decimal", "decimal()", "decimal(,)", "varchar(10)" };
        for (var p = 0; p <= 30; p++)
        {
            for (var s = 0; s <= 30; s++)
            {
                candidates.Add(string.Create(CultureInfo.InvariantCulture, $"decimal({p},{s})"));
            }
        }

        var disagreements = candidates.Where(c => regex.IsMatch(c) != ColumnType.TryParse(c, out _)).ToList();

        disagreements.Should().BeEmpty();
        candidates.Count(regex.IsMatch).Should().Be(8 + Enumerable.Range(1, 28).Sum(p => p + 1));
    }

    [Fact]
    public void JsonSchema_IdPattern_IsDomainDotName()
    {
        var schema = JsonNode.Parse(DatasetDefinitionSerializer.JsonSchema)!;

        schema["properties"]!["id"]!["pattern"]!.GetValue<string>().Should().Be(@"^[a-z][a-z0-9_]{0,63}\.[a-z][a-z0-9_]{0,63}$");
        schema["$defs"]!["identifier"]!["pattern"]!.GetValue<string>().Should().Be(Identifier.Pattern);
        schema["required"]!.AsArray().Select(n => n!.GetValue<string>()).Should().BeEquivalentTo("id", "source", "columns");
    }

    /// <summary>Custom rule types and source formats: the schema and the serializer given the registrations agree.</summary>
    public static TheoryData<string, string, bool> CustomDocuments => new()
    {
        { "custom rule with options", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"starts-with","column":"name","options":{"prefix":"A"}}]}""")), true },
        { "custom rule on columns", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"starts-with","columns":["name"]}]}""")), true },
        { "custom format with options", DefinitionDocuments.Doc(d => d["source"] = JsonNode.Parse("""{"format":"pipe-lines","options":{"separator":";"}}""")), true },
        { "custom rule without column", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"starts-with"}]}""")), false },
        { "built-in rule with options", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"not-null","column":"name","options":{}}]}""")), false },
        { "built-in format with options", DefinitionDocuments.Doc(d => d["source"] = JsonNode.Parse("""{"format":"csv","options":{}}""")), false },
        { "rule options not an object", DefinitionDocuments.Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"starts-with","column":"name","options":[1]}]}""")), false },
    };

    [Theory]
    [MemberData(nameof(CustomDocuments))]
    public void SchemaAndSerializerWithRegistrations_CustomDocument_Agree(string scenario, string json, bool valid)
    {
        var extensions = new IngestExtensionsBuilder()
            .AddQualityRule("starts-with", _ => new Ingest.Tests.Engine.Extensions.StartsWithRule())
            .AddSourceFormat("pipe-lines", c => new Ingest.Tests.Engine.Extensions.PipeLinesReader(c))
            .Build();

        var results = DefinitionDocuments.EvaluateSchema(json);
        var act = () => DatasetDefinitionSerializer.Deserialize(json, extensions);

        results.IsValid.Should().Be(valid, $"{scenario}: {DefinitionDocuments.DescribeSchemaErrors(results)}");
        if (valid)
        {
            act.Should().NotThrow(scenario);
        }
        else
        {
            act.Should().Throw<DefinitionException>(scenario);
        }
    }

    [Fact]
    public void JsonSchema_EnumValues_MatchSerializerNames()
    {
        var schema = JsonNode.Parse(DatasetDefinitionSerializer.JsonSchema)!;
        static string[] Values(JsonNode node) => [.. node["enum"]!.AsArray().Select(n => n!.GetValue<string>())];

        // Open vocabularies: any well-formed name (a registered one), with the built-in names as examples.
        static string[] Examples(JsonNode node) => [.. node["examples"]!.AsArray().Select(n => n!.GetValue<string>())];
        var format = schema["$defs"]!["source"]!["properties"]!["format"]!;
        Examples(format).Should().Equal(SourceFormat.BuiltIn.Select(f => f.Name));
        format["pattern"]!.GetValue<string>().Should().Be(VocabularyName.Pattern);
        var type = schema["$defs"]!["rule"]!["properties"]!["type"]!;
        Examples(type).Should().Equal(QualityRuleType.BuiltIn.Select(t => t.Name)).And.Equal("not-null", "unique", "range", "regex", "allowed-values");
        type["pattern"]!.GetValue<string>().Should().Be(VocabularyName.Pattern);
        Values(schema["$defs"]!["database"]!["properties"]!["provider"]!).Should().Equal("postgresql", "sql-server", "sqlite");
        Values(schema["$defs"]!["write"]!["properties"]!["mode"]!).Should().Equal("append", "overwrite-partitions", "merge");
        Values(schema["$defs"]!["write"]!["properties"]!["compression"]!).Should().Equal("snappy", "zstd", "gzip", "none");
        Values(schema["$defs"]!["rule"]!["properties"]!["action"]!).Should().Equal("reject", "fail");
        Values(schema["$defs"]!["partitionField"]!["properties"]!["transform"]!).Should().Equal("identity", "year", "month", "day", "ingest-date");
        Values(schema["$defs"]!["catalog"]!["properties"]!["partitionStrategy"]!).Should().Equal("register", "projection");
        Values(schema["$defs"]!["engine"]!["properties"]!["kind"]!).Should().Equal("local", "glue");
    }

    private static void Walk(JsonNode node, string path, List<string> missing, bool inConditional)
    {
        if (node is not JsonObject obj)
        {
            return;
        }

        if (!inConditional && obj["properties"] is JsonObject properties)
        {
            foreach (var (name, property) in properties)
            {
                if (property?["description"] is null)
                {
                    missing.Add($"{path}/properties/{name}");
                }
            }
        }

        foreach (var (key, child) in obj)
        {
            if (child is JsonObject)
            {
                Walk(child, $"{path}/{key}", missing, inConditional || key is "if" or "then" or "else" or "not");
            }
            else if (child is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i]!, $"{path}/{key}/{i}", missing, inConditional || key is "allOf" or "anyOf" or "oneOf");
                }
            }
        }
    }

    private static void CollectDefaults(JsonNode schema, string prefix, Dictionary<string, JsonNode?> defaults)
    {
        var root = schema;
        void Visit(JsonNode? node, string at)
        {
            if (node?["properties"] is not JsonObject properties)
            {
                return;
            }

            foreach (var (name, property) in properties)
            {
                var path = at.Length == 0 ? name : $"{at}.{name}";
                if (property?["default"] is { } value)
                {
                    defaults[path] = value.DeepClone();
                }

                var target = property?["$ref"] is { } reference
                    ? root["$defs"]![reference.GetValue<string>()["#/$defs/".Length..]]
                    : property;
                Visit(target, path);
            }
        }

        Visit(schema, prefix);
    }
}
