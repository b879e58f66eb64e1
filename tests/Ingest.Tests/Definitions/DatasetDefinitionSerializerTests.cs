using System.Text.Json.Nodes;
using Ingest.Definitions;
using static Ingest.Tests.Definitions.DefinitionDocuments;

namespace Ingest.Tests.Definitions;

public sealed class DatasetDefinitionSerializerTests
{
    [Fact]
    public void Deserialize_MissingComma_ReportsLineAndPosition()
    {
        const string json = "{\n  \"id\": \"sales.orders\",\n  \"source\": { \"format\": \"csv\" }\n  \"columns\": []\n}";

        var error = SerializerErrors(json).Should().ContainSingle().Subject;

        error.Message.Should().EndWith("(line 4, position 3)");
        error.Message.Should().Contain("Expected either ',', '}', or ']'");
    }

    [Fact]
    public void Deserialize_UnterminatedDocument_ReportsLine()
    {
        const string json = "{\n  \"id\": \"sales.orders\",\n  \"source\": {";

        var error = SerializerErrors(json).Should().ContainSingle().Subject;

        error.Message.Should().MatchRegex(@"\(line 3, position \d+\)$");
    }

    [Fact]
    public void Deserialize_BadColumnType_NamesPathAndExpectedTypes()
    {
        var error = SerializerErrors(Doc(d => d["columns"]![2]!["type"] = "money")).Should().ContainSingle().Subject;

        error.Path.Should().Be("$.columns[2].type");
        error.Message.Should().StartWith("'money' is not a column type: expected string, boolean, int32");
        error.Message.Should().NotContain("LineNumber", "System.Text.Json's own suffix is replaced by (line, position)");
    }

    [Fact]
    public void Deserialize_BadEnumValue_ListsExpectedValues()
    {
        var error = SerializerErrors(Doc(d => d["write"] = new JsonObject { ["mode"] = "upsert" })).Should().ContainSingle().Subject;

        error.Path.Should().Be("$.write.mode");
        error.Message.Should().StartWith("'upsert' is not a valid value: expected one of append, overwrite-partitions, merge.");
    }

    [Theory]
    [InlineData("Append")]
    [InlineData("APPEND")]
    [InlineData("OverwritePartitions")]
    [InlineData("append, merge")]
    [InlineData("overwrite-partitions, merge")]
    [InlineData("1")]
    public void Deserialize_EnumNotInKebabCase_IsRejected(string mode)
        => SerializerErrors(Doc(d => d["write"] = new JsonObject { ["mode"] = mode })).Should().ContainSingle().Which.Path.Should().Be("$.write.mode");

    [Fact]
    public void Deserialize_MemberInOtherCase_IsRejectedAsUnknown()
        => SerializerErrors(Doc(d => d["Description"] = "x")).Should().ContainSingle().Which.Path.Should().Be("$.Description");

    [Fact]
    public void Deserialize_DuplicateMember_IsRejected()
    {
        var json = Doc(_ => { }).Replace("\"id\":\"sales.orders\"", "\"id\":\"sales.orders\",\"id\":\"sales.returns\"", StringComparison.Ordinal);

        SerializerErrors(json).Should().ContainSingle().Which.Message.Should().Contain("Duplicate property 'id'");
    }

    [Theory]
    [InlineData("catalogDatabase")]
    [InlineData("catalogTable")]
    public void Deserialize_ComputedMember_IsRejectedAsUnknown(string member)
        => SerializerErrors(Doc(d => d[member] = "x")).Should().ContainSingle().Which.Path.Should().Be("$." + member);

    [Fact]
    public void Serialize_Definition_OmitsComputedMembers()
    {
        var definition = DatasetDefinitionSerializer.Deserialize(Doc(d => d["partitioning"] = JsonNode.Parse("""[{"column":"day"}]""")));

        var json = DatasetDefinitionSerializer.Serialize(definition);

        json.Should().NotContainAny("catalogDatabase", "catalogTable", "effectiveSourceColumn", "effectiveName", "displayName");
    }

    [Fact]
    public void Deserialize_CommentsAndTrailingCommas_AreAccepted()
    {
        const string json = """
            {
              // the orders export
              "id": "sales.orders",
              "source": { "format": "parquet", },
              "columns": [ { "name": "id", "type": "int64" }, ],
            }
            """;

        DatasetDefinitionSerializer.Deserialize(json).Source.Format.Should().Be(SourceFormat.Parquet);
    }

    [Fact]
    public void Deserialize_MisspelledMember_SaysItIsNotADefinitionMemberAndSuggestsTheNearest()
    {
        var json = Doc(_ => { }).Replace("\"columns\"", "\"colums\"", StringComparison.Ordinal);

        var error = SerializerErrors(json).Should().ContainSingle().Which;

        error.Path.Should().Be("$.colums");
        error.Message.Should().StartWith("is not a definition member; did you mean columns?");
    }

    [Fact]
    public void Deserialize_MisspelledNestedMember_NamesTheObjectAndTheNearestMember()
    {
        var error = SerializerErrors(Doc(d => d["source"]!["csv"] = new JsonObject { ["delimter"] = ";" })).Should().ContainSingle().Which;

        error.Path.Should().Be("$.source.csv.delimter");
        error.Message.Should().StartWith("is not a member of source.csv; did you mean delimiter?");
    }

    [Fact]
    public void Deserialize_UnknownMemberFarFromAny_ListsTheMembers()
        => SerializerErrors(Doc(d => d["write"] = new JsonObject { ["zzzzzz"] = 1 })).Should().ContainSingle().Which.Message
            .Should().StartWith("is not a member of write; its members are mode, targetFileSizeMb, rowGroupSizeMb, compression.");

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("// nothing yet\n")]
    public void Deserialize_EmptyFile_SaysTheFileIsEmpty(string json)
    {
        var act = () => DatasetDefinitionSerializer.Deserialize(json, "orders.json");

        act.Should().Throw<DefinitionException>().Which.Message.Should().Be(
            "Invalid dataset definition orders.json: $: the file is empty; expected a dataset definition, a JSON object such as {\"id\": \"sales.orders\", …}.");
    }

    [Fact]
    public void Deserialize_NullDocument_ReportsObjectExpected()
        => SerializerErrors("null").Should().ContainSingle().Which.Should().Be(new DefinitionError("$", "the document is null; expected an object."));

    [Fact]
    public void Deserialize_Minimal_AppliesDocumentedDefaults()
    {
        var d = DatasetDefinitionSerializer.Deserialize(Doc(_ => { }));

        d.Source.Csv.Delimiter.Should().Be(",");
        d.Source.Csv.Header.Should().BeTrue();
        d.Source.Encoding.Should().Be("utf-8");
        d.Source.NullMarkers.Should().Equal(string.Empty);
        d.Source.DateFormats.Should().Equal("yyyy-MM-dd");
        d.Source.TimeZone.Should().Be("UTC");
        d.Write.Should().Be(new WriteSettings { Mode = WriteMode.Append, TargetFileSizeMb = 128, RowGroupSizeMb = 32, Compression = ParquetCompression.Snappy });
        d.Quality.MaxRejectRatio.Should().Be(0.05);
        d.Catalog.Workgroup.Should().Be("primary");
        d.CatalogDatabase.Should().Be("sales");
        d.CatalogTable.Should().Be("orders");
        d.Engine.Kind.Should().Be(EngineKind.Local);
        d.Engine.Glue.WorkerType.Should().Be("G.1X");
        d.FindColumn("name")!.Nullable.Should().BeTrue();
    }

    [Theory]
    [InlineData("\".5\"", ".5")]
    [InlineData("\"+1\"", "+1")]
    [InlineData("\"1.\"", "1.")]
    [InlineData("\"1e3\"", "1e3")]
    [InlineData("0.25", "0.25")]
    [InlineData("-1E+2", "-1E+2")]
    public void Serialize_RangeBoundText_RoundTripsUnchanged(string jsonValue, string expected)
    {
        var json = Doc(d =>
        {
            d["columns"]![2]!["type"] = "double";
            d["quality"] = JsonNode.Parse($$"""{"rules":[{"type":"range","column":"amount","min":{{jsonValue}}}]}""");
        });
        var definition = DatasetDefinitionSerializer.Deserialize(json);

        var again = DatasetDefinitionSerializer.Deserialize(DatasetDefinitionSerializer.Serialize(definition));

        again.Quality.Rules[0].Min.Should().Be(expected);
        DatasetDefinitionSerializer.Fingerprint(again).Should().Be(DatasetDefinitionSerializer.Fingerprint(definition));
    }

    [Fact]
    public void Serialize_NumericBound_WritesJsonNumber()
    {
        var definition = DatasetDefinitionSerializer.Deserialize(Doc(d => d["quality"] = JsonNode.Parse("""{"rules":[{"type":"range","column":"amount","min":"10","max":"2.5"}]}""")));

        var rule = JsonNode.Parse(DatasetDefinitionSerializer.Serialize(definition))!["quality"]!["rules"]![0]!;

        rule["min"]!.GetValueKind().Should().Be(System.Text.Json.JsonValueKind.Number);
        rule["max"]!.ToJsonString().Should().Be("2.5");
    }

    [Fact]
    public void Fingerprint_DifferentDefinitions_Differ()
    {
        var a = DatasetDefinitionSerializer.Deserialize(Doc(_ => { }));
        var b = DatasetDefinitionSerializer.Deserialize(Doc(d => d["description"] = "changed"));

        DatasetDefinitionSerializer.Fingerprint(a).Should().MatchRegex("^[0-9a-f]{64}$").And.NotBe(DatasetDefinitionSerializer.Fingerprint(b));
    }

    [Fact]
    public void Fingerprint_DefaultsSpelledOut_SameAsOmitted()
    {
        var omitted = DatasetDefinitionSerializer.Deserialize(Doc(_ => { }));
        var spelled = DatasetDefinitionSerializer.Deserialize(Doc(d =>
        {
            d["write"] = new JsonObject { ["mode"] = "append", ["compression"] = "snappy" };
            d["columns"]![1]!["nullable"] = true;
        }));

        DatasetDefinitionSerializer.Fingerprint(spelled).Should().Be(DatasetDefinitionSerializer.Fingerprint(omitted));
    }

    [Fact]
    public async Task ReadFileAsync_MissingFile_ThrowsIngestExceptionWithLocation()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "missing.json");

        var act = () => DatasetDefinitionSerializer.ReadFileAsync(path);

        (await act.Should().ThrowAsync<IngestException>()).Which.Location.Should().Be(path);
    }

    [Fact]
    public async Task ReadFileAsync_InvalidFile_NamesFileInMessage()
    {
        var path = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, Doc(d => d["id"] = "orders"));
        try
        {
            var act = () => DatasetDefinitionSerializer.ReadFileAsync(path);

            (await act.Should().ThrowAsync<DefinitionException>()).Which.Message.Should().StartWith($"Invalid dataset definition {Path.GetFileName(path)}: $.id:");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
