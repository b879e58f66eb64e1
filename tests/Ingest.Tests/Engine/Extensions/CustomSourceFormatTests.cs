using System.Text;
using Ingest.Definitions;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Tests.Engine.Extensions;

/// <summary>A registered source format named by a definition: refused unless registered, read behind the engine's reader seam.</summary>
public sealed class CustomSourceFormatTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static DatasetDefinition Definition(DatasetId id) => TestExtensions.Definition(id, format: "pipe-lines") with { Quality = new QualitySettings { MaxRejectRatio = 1 } };

    [Fact]
    public void Deserialize_UnregisteredFormat_IsRefusedNamingTheRegisteredFormats()
    {
        var json = DatasetDefinitionSerializer.Serialize(Definition(IngestTestData.NewDatasetId()));

        var act = () => DatasetDefinitionSerializer.Deserialize(json, "pipes.json");

        act.Should().Throw<DefinitionException>().Which.Message.Should().Be(
            "Invalid dataset definition pipes.json: $.source.format: 'pipe-lines' is not a registered source format; the registered formats are csv, json-lines, parquet, database. "
            + "Register it (services.AddIngestSourceFormat<TReader>(\"pipe-lines\") or IngestExtensionsBuilder.AddSourceFormat) or fix the name.");
    }

    [Theory]
    [InlineData("JsonLines")]
    [InlineData("json lines")]
    [InlineData("-csv")]
    public void Deserialize_FormatThatIsNotAName_IsRefused(string format)
    {
        var json = DatasetDefinitionSerializer.Serialize(Definition(IngestTestData.NewDatasetId())).Replace("\"pipe-lines\"", $"\"{format}\"", StringComparison.Ordinal);

        var act = () => DatasetDefinitionSerializer.Deserialize(json, TestExtensions.Both());

        act.Should().Throw<DefinitionException>().Which.Message.Should().Contain(
            $"'{format}' is not a valid value: expected one of csv, json-lines, parquet, database, or the name of a registered source format (lower-case kebab-case).");
    }

    [Fact]
    public void EnsureValid_SourceOptionsWithABuiltInFormat_AreRefused()
    {
        var definition = TestExtensions.Definition(IngestTestData.NewDatasetId()) is var d
            ? d with { Source = d.Source with { Options = System.Text.Json.JsonDocument.Parse("{}").RootElement.Clone() } }
            : null!;

        var act = () => DatasetDefinitionSerializer.EnsureValid(definition, TestExtensions.Both());

        act.Should().Throw<DefinitionException>().Which.Errors.Should().ContainSingle()
            .Which.ToString().Should().Be("$.source.options: options are for custom formats; csv has settings of its own (csv, encoding, nullMarkers, …): remove options.");
    }

    [Fact]
    public async Task RunAsync_CustomFormat_IsReadIntoTheCuratedTable_AndUnsplittableRecordsKeepTheirRawText()
    {
        var id = IngestTestData.NewDatasetId();
        await _h.RegisterAsync(Definition(id));

        var result = await _h.RunAsync(
            id,
            b => b.UseExtensions(TestExtensions.Both()),
            EngineHarness.Text("p.txt", "id|name|n|amount\n1|Zoë|3|1.50\n2|Bo\n3||6|\n4|Cy|x|2.00\n"));

        result.Run.RowsRead.Should().Be(4);
        result.Run.RowsWritten.Should().Be(2);
        (await _h.QueryAsync(id, "SELECT id, name, n, CAST(amount AS VARCHAR) FROM {curated} ORDER BY id"))
            .Should().BeEquivalentTo(new[] { new object?[] { 1L, "Zoë", 3L, "1.50" }, new object?[] { 3L, null, 6L, null } }, o => o.WithStrictOrdering());
        var rejects = await _h.QueryAsync(id, "SELECT _source_line, _reason, _raw_record FROM {quarantine} ORDER BY _source_line");
        rejects.Should().HaveCount(2);
        rejects[0].Should().Equal(3L, "2 fields, the header names 4", "2|Bo");
        rejects[1][0].Should().Be(5L);
        ((string)rejects[1][1]!).Should().StartWith("n: \"x\" is not a int64");
    }

    [Fact]
    public async Task RunAsync_ReaderGivingPositionsThatDoNotIncrease_FailsTheRun_NamingTheFormat()
    {
        var id = IngestTestData.NewDatasetId();
        await _h.RegisterAsync(Definition(id));

        var act = () => _h.RunAsync(id, b => b.UseExtensions(TestExtensions.Both(positions: line => 7)), EngineHarness.Text("p.txt", "id|name|n|amount\n1|a|3|1\n2|b|3|1\n"));

        (await act.Should().ThrowAsync<IngestException>()).Which.Message.Should().Be(
            "p.txt: the reader of source format 'pipe-lines' broke its contract: record after position 7 has position 7; set SourceRecordBuilder.Position to the 1-based line where each record starts, increasing. Nothing was published; fix the reader.");
        _h.Keys(LakeZone.Curated).Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_InvalidBytesInTheDeclaredEncoding_AreReportedWithLineAndOffset()
    {
        var id = IngestTestData.NewDatasetId();
        await _h.RegisterAsync(Definition(id));
        // 0xC3 opens a two-byte sequence at offset 27; 0x28 at offset 28 cannot continue it (located as for CSV files).
        var bytes = Encoding.UTF8.GetBytes("id|name|n|amount\n1|a|3|1\n2|").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("|3|1\n")).ToArray();

        var act = () => _h.RunAsync(id, b => b.UseExtensions(TestExtensions.Both()), EngineHarness.Bytes("p.txt", bytes));

        (await act.Should().ThrowAsync<DataValidationException>()).Which.Message.Should().Be(
            "p.txt line 3: the byte at offset 28 is not valid utf-8; set source.encoding to the file's encoding (for example latin1 or windows-1252).");
    }

    [Fact]
    public async Task RunAsync_RegisteredDefinitionWithAFormatThisHostLacks_IsRefused_AndChangesNothing()
    {
        var id = IngestTestData.NewDatasetId();
        await _h.RegisterAsync(Definition(id));

        var act = () => _h.RunAsync(id, b => b.UseExtensions(new IngestExtensionsBuilder().AddQualityRule("multiple-of", c => new MultipleOfRule(c)).Build()), EngineHarness.Text("p.txt", "id|name|n|amount\n"));

        (await act.Should().ThrowAsync<DefinitionException>()).Which.Errors.Should().ContainSingle()
            .Which.ToString().Should().StartWith("$.source.format: 'pipe-lines' is not a registered source format; the registered formats are csv, json-lines, parquet, database.");
        _h.Lake.Objects.Should().BeEmpty();
    }

    [Theory]
    [InlineData("""{"separator": "||"}""", "$.source.options.separator: dataset {0}: \"||\", expected one character.")]
    [InlineData("""{"separator": ""}""", "$.source.options.separator: dataset {0}: \"\", expected one character.")]
    [InlineData("""{"separator": 5}""", "$.source.options.separator: dataset {0}: source format 'pipe-lines' cannot read its options: The JSON value could not be converted to System.String. (at options.separator, found 5)")]
    [InlineData("""{"sep": ";"}""", "$.source.options.sep: dataset {0}: source format 'pipe-lines' cannot read its options: The JSON property 'sep' could not be mapped to any .NET member contained in type 'Ingest.Tests.Engine.Extensions.PipeLinesOptions'. (at options.sep)")]
    public void Deserialize_OptionsTheReaderRefuses_AreOneLineAtTheMember_NamingDatasetValueAndExpected(string options, string expected)
    {
        var id = IngestTestData.NewDatasetId();
        var json = DatasetDefinitionSerializer.Serialize(WithOptions(Definition(id), options));

        var act = () => DatasetDefinitionSerializer.Deserialize(json, TestExtensions.Both(), "pipes.json");

        var error = act.Should().Throw<DefinitionException>().Which;
        error.Errors.Select(e => e.ToString()).Should().Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, id));
        error.Message.Should().NotContain("\n");
    }

    [Fact]
    public void Deserialize_OptionsTheReaderTakes_AreAccepted_AndTheReaderIsNotOpened()
    {
        var json = DatasetDefinitionSerializer.Serialize(WithOptions(Definition(IngestTestData.NewDatasetId()), """{"separator": ";"}"""));

        var definition = DatasetDefinitionSerializer.Deserialize(json, TestExtensions.Both());

        definition.Source.Options!.Value.GetProperty("separator").GetString().Should().Be(";");
    }

    [Fact]
    public async Task RegisterAsync_WithTheHostsExtensions_RefusesOptionsTheReaderRefuses_AndStoresNothing()
    {
        var id = IngestTestData.NewDatasetId();
        var bad = WithOptions(Definition(id), """{"separator": "||"}""");

        var act = () => _h.Backends.Registry.RegisterAsync(bad, TestExtensions.Both());

        (await act.Should().ThrowAsync<DefinitionException>()).Which.Message.Should().Be(
            $"Invalid dataset definition {id}: $.source.options.separator: dataset {id}: \"||\", expected one character.");
        (await _h.Backends.Registry.GetAsync(id)).Should().BeNull();
    }

    [Fact]
    public async Task RegisterAsync_WithTheHostsExtensions_GoodOptions_AreStored_AndTheRunReadsWithThem()
    {
        var id = IngestTestData.NewDatasetId();
        var registered = await _h.Backends.Registry.RegisterAsync(WithOptions(Definition(id), """{"separator": ";"}"""), TestExtensions.Both());

        var result = await _h.RunAsync(id, b => b.UseExtensions(TestExtensions.Both()), EngineHarness.Text("p.txt", "id;name;n;amount\n1;a;3;1.50\n"));

        registered.Version.Should().Be(1);
        result.Run.RowsWritten.Should().Be(1);
    }

    [Fact]
    public async Task RegisterAsync_WithoutTheHostsExtensions_StoresBadOptions_ThatTheRunRefusesBeforeReading()
    {
        // A registry alone cannot know a host's formats; the run checks the definition against its extensions first.
        var id = IngestTestData.NewDatasetId();
        await _h.Backends.Registry.RegisterAsync(WithOptions(Definition(id), """{"separator": 5}"""));

        var act = () => _h.RunAsync(id, b => b.UseExtensions(TestExtensions.Both()), EngineHarness.Text("p.txt", "id|name|n|amount\n"));

        (await act.Should().ThrowAsync<DefinitionException>()).Which.Errors.Should().ContainSingle()
            .Which.ToString().Should().Be($"$.source.options.separator: dataset {id}: source format 'pipe-lines' cannot read its options: The JSON value could not be converted to System.String. (at options.separator, found 5)");
        _h.Lake.Objects.Should().BeEmpty();
    }

    private static DatasetDefinition WithOptions(DatasetDefinition definition, string options)
        => definition with { Source = definition.Source with { Options = System.Text.Json.JsonDocument.Parse(options).RootElement.Clone() } };
}
