using Ingest.Definitions;

namespace Ingest.Tests.Definitions;

public sealed class ExampleDefinitionTests
{
    public static TheoryData<string> Examples => DefinitionDocuments.ExampleFiles;

    [Fact]
    public void ExampleFiles_DocsExamples_AreThreeOrMore()
        => DefinitionDocuments.ExampleFiles.Should().HaveCountGreaterThanOrEqualTo(3);

    [Theory]
    [MemberData(nameof(Examples))]
    public void Deserialize_Example_IdMatchesFileName(string fileName)
    {
        var definition = DatasetDefinitionSerializer.Deserialize(DefinitionDocuments.ReadExample(fileName), fileName);

        definition.Id.ToString().Should().Be(Path.GetFileNameWithoutExtension(fileName));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void JsonSchema_Example_IsValid(string fileName)
    {
        var results = DefinitionDocuments.EvaluateSchema(DefinitionDocuments.ReadExample(fileName));

        results.IsValid.Should().BeTrue(DefinitionDocuments.DescribeSchemaErrors(results));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Serialize_Example_RoundTripsToSameFingerprint(string fileName)
    {
        var definition = DatasetDefinitionSerializer.Deserialize(DefinitionDocuments.ReadExample(fileName), fileName);

        var json = DatasetDefinitionSerializer.Serialize(definition);
        var again = DatasetDefinitionSerializer.Deserialize(json, fileName);

        DatasetDefinitionSerializer.Fingerprint(again).Should().Be(DatasetDefinitionSerializer.Fingerprint(definition));
        DatasetDefinitionSerializer.Serialize(again).Should().Be(json);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Serialize_Example_OutputIsValidAgainstJsonSchema(string fileName)
    {
        var definition = DatasetDefinitionSerializer.Deserialize(DefinitionDocuments.ReadExample(fileName), fileName);

        var results = DefinitionDocuments.EvaluateSchema(DatasetDefinitionSerializer.Serialize(definition));

        results.IsValid.Should().BeTrue(DefinitionDocuments.DescribeSchemaErrors(results));
    }

    [Fact]
    public void Deserialize_LedgerExample_ReadsGermanCsvSettings()
    {
        var definition = DatasetDefinitionSerializer.Deserialize(DefinitionDocuments.ReadExample("finance.ledger_entries.json"));

        definition.Source.Csv.Delimiter.Should().Be(";");
        definition.Source.Csv.Header.Should().BeFalse();
        definition.Source.Csv.Columns.Should().HaveCount(definition.Columns.Count);
        definition.Source.Encoding.Should().Be("latin1");
        definition.Source.DecimalSeparator.Should().Be(",");
        definition.Source.DateFormats.Should().StartWith("dd.MM.yyyy");
    }

    [Fact]
    public void Deserialize_OrdersExample_MergesOnKeysWithDayPartition()
    {
        var definition = DatasetDefinitionSerializer.Deserialize(DefinitionDocuments.ReadExample("sales.orders.json"));

        definition.Write.Mode.Should().Be(WriteMode.Merge);
        definition.Keys.Should().Equal("order_id");
        definition.Partitioning.Should().ContainSingle().Which.EffectiveName.Should().Be("ordered_at_day");
        definition.FindColumn("total_amount")!.Type.Should().Be(ColumnType.Decimal(18, 2));
    }

    [Fact]
    public void DefinitionReference_FullExample_IsTheOrdersExample()
    {
        var markdown = File.ReadAllText(Path.Combine(DefinitionDocuments.RepositoryRoot, "docs", "definition-reference.md"));
        var start = markdown.IndexOf("```json", StringComparison.Ordinal) + "```json".Length;
        var end = markdown.IndexOf("```", start, StringComparison.Ordinal);

        var documented = DatasetDefinitionSerializer.Deserialize(markdown[start..end], "definition-reference.md");
        var example = DatasetDefinitionSerializer.Deserialize(DefinitionDocuments.ReadExample("sales.orders.json"));

        DatasetDefinitionSerializer.Fingerprint(documented).Should().Be(DatasetDefinitionSerializer.Fingerprint(example));
    }
}
