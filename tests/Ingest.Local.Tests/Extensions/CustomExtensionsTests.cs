using System.Globalization;
using System.Text;
using CustomExtensions;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Quality;
using Ingest.Sources;
using Ingest.Storage;
using Ingest.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Ingest.Local.Tests.IndependentReaders;

namespace Ingest.Local.Tests.Extensions;

/// <summary>
/// The sample's custom rule and fixed-width format through real runs on the local backend (SQLite registry and ledger,
/// folder lake), judged by DuckDB reading the Parquet files the runs published.
/// </summary>
public sealed class CustomExtensionsTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    private static string DefinitionPath => Path.Combine(AppContext.BaseDirectory, "definitions", "payments.cards.json");

    private ServiceProvider Services(bool withExtensions = true)
    {
        var services = new ServiceCollection().AddIngestLocal(o => o.Root = _root.Path).AddIngest();
        if (withExtensions)
        {
            services.AddIngestRule<LuhnRule>("luhn").AddIngestSourceFormat<FixedWidthReader>("fixed-width");
        }

        return services.BuildServiceProvider();
    }

    private async Task<(DatasetDefinition Definition, IngestRunResult Result, IngestBackends Backends)> RunSampleAsync(ServiceProvider provider)
    {
        var definition = await DatasetDefinitionSerializer.ReadFileAsync(DefinitionPath, provider.GetRequiredService<IngestExtensions>());
        definition = definition with { Id = IngestTestData.NewDatasetId("payments") };
        var backends = provider.GetRequiredService<IngestBackends>();
        await backends.Registry.RegisterAsync(definition);
        var export = Path.Combine(_root.Path, "cards.txt");
        await File.WriteAllTextAsync(export, string.Join('\n', Export.Lines()) + "\n", Encoding.Latin1);
        var result = await provider.GetRequiredService<IIngestPipelineFactory>().CreateBuilder(definition.Id).Build().RunAsync([IngestInput.FromFile(export)]);
        return (definition, result, backends);
    }

    private static List<string> Files(IngestRunResult result, IngestBackends backends, LakeZone zone)
        => [.. result.Run.FilesWritten.Where(f => f.StartsWith(zone.Name + "/", StringComparison.Ordinal)).Select(f => backends.Lake.GetAddress(zone, f[(zone.Name.Length + 1)..]))];

    private static string List(IEnumerable<string> files) => string.Join(", ", files.Select(f => "'" + f.Replace("'", "''", StringComparison.Ordinal) + "'"));

    [Fact]
    public async Task RunAsync_FixedWidthFormat_IsReadIntoTheCuratedTable_AsDuckDbReadsIt()
    {
        await using var provider = Services();

        var (_, result, backends) = await RunSampleAsync(provider);

        result.Run.RowsRead.Should().Be(9);
        result.Run.RowsWritten.Should().Be(Export.Good.Count);
        var curated = Files(result, backends, LakeZone.Curated);
        curated.Should().NotBeEmpty();
        var rows = await QueryDuckDbAsync($"SELECT payment_id, holder, card_number, CAST(amount AS VARCHAR), CAST(paid_on AS VARCHAR) FROM read_parquet([{List(curated)}]) ORDER BY payment_id");
        rows.Select(r => string.Join('|', r)).Should().Equal(Export.Good.Select(p => string.Create(
            CultureInfo.InvariantCulture, $"{p.Id}|{p.Holder}|{p.CardNumber}|{p.Amount:0.00}|{p.PaidOn:yyyy-MM-dd}")));
    }

    [Fact]
    public async Task RunAsync_LuhnRule_QuarantinesTheBadCardWithItsReason_AndTheTruncatedLineWithItsRawText()
    {
        await using var provider = Services();

        var (_, result, backends) = await RunSampleAsync(provider);

        var quarantine = Files(result, backends, LakeZone.Quarantine);
        var rejects = await QueryDuckDbAsync($"SELECT _source_line, _reason, _raw_record, card_number FROM read_parquet([{List(quarantine)}]) ORDER BY _source_line");
        rejects.Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).Should().Equal(Export.BadLines);
        rejects[0][1].Should().Be("luhn(card_number): \"4111 1111 1111 1112\" fails the Luhn check digit");
        rejects[0][3].Should().Be("4111 1111 1111 1112");
        ((string)rejects[1][1]!).Should().StartWith("range(amount): ");
        rejects[2][1].Should().Be("the line has 22 characters, the fields need 68");
        rejects[2][2].Should().Be("00000009Truncated Line");
        result.TopRejectReasons.Select(r => r.Reason).Should().Contain("luhn(card_number)");
    }

    [Fact]
    public async Task ReadFileAsync_WithoutTheRegistrations_RefusesTheSampleDefinition_NamingTheRegisteredNames()
    {
        var act = () => DatasetDefinitionSerializer.ReadFileAsync(DefinitionPath);

        var errors = (await act.Should().ThrowAsync<DefinitionException>()).Which.Errors.Select(e => e.ToString()).ToList();
        errors.Should().Equal(
            "$.source.format: 'fixed-width' is not a registered source format; the registered formats are csv, json-lines, parquet, database. Register it (services.AddIngestSourceFormat<TReader>(\"fixed-width\") or IngestExtensionsBuilder.AddSourceFormat) or fix the name.",
            "$.quality.rules[0].type: 'luhn' is not a registered rule type; the registered types are not-null, unique, range, regex, allowed-values. Register it (services.AddIngestRule<TRule>(\"luhn\") or IngestExtensionsBuilder.AddQualityRule) or fix the name.");
    }

    [Fact]
    public async Task RunAsync_HostWithoutTheRegistrations_RefusesTheRegisteredDefinition_AndWritesNothing()
    {
        DatasetDefinition definition;
        await using (var provider = Services())
        {
            definition = await DatasetDefinitionSerializer.ReadFileAsync(DefinitionPath, provider.GetRequiredService<IngestExtensions>());
            definition = definition with { Id = IngestTestData.NewDatasetId("payments") };
            await provider.GetRequiredService<IngestBackends>().Registry.RegisterAsync(definition);
        }

        await using var plain = Services(withExtensions: false);
        var export = Path.Combine(_root.Path, "cards.txt");
        await File.WriteAllTextAsync(export, string.Join('\n', Export.Lines()) + "\n", Encoding.Latin1);
        var act = () => plain.GetRequiredService<IIngestPipelineFactory>().CreateBuilder(definition.Id).Build().RunAsync([IngestInput.FromFile(export)]);

        (await act.Should().ThrowAsync<DefinitionException>()).Which.Errors.Select(e => e.Path).Should().Equal("$.source.format", "$.quality.rules[0].type");
        Directory.Exists(Path.Combine(_root.Path, "raw")).Should().BeFalse("nothing reached the lake");
    }

    [Theory]
    [InlineData("""[{"name": "payment_id", "width": 0}]""", "$.source.options.fields[0].width: dataset {0}: 0, expected a width of 1 or more characters.")]
    [InlineData("""[{"name": "payment_id", "width": "eight"}]""", "$.source.options.fields[0].width: dataset {0}: source format 'fixed-width' cannot read its options: The JSON value could not be converted to System.Int32. (at options.fields[0].width, found \"eight\")")]
    [InlineData("""[]""", "$.source.options.fields: dataset {0}: [], expected at least one field, each {{\"name\": …, \"width\": …}}.")]
    public async Task RegisterAsync_OnTheSqliteRegistry_WithTheHostsExtensions_RefusesBadFixedWidthOptions_AndStoresNothing(string fields, string expected)
    {
        await using var provider = Services();
        var definition = await DatasetDefinitionSerializer.ReadFileAsync(DefinitionPath, provider.GetRequiredService<IngestExtensions>());
        definition = definition with
        {
            Id = IngestTestData.NewDatasetId("payments"),
            Source = definition.Source with { Options = System.Text.Json.JsonDocument.Parse($$"""{"fields": {{fields}}}""").RootElement.Clone() },
        };
        var registry = provider.GetRequiredService<IngestBackends>().Registry;

        var act = () => registry.RegisterAsync(definition, provider.GetRequiredService<IngestExtensions>());

        var error = (await act.Should().ThrowAsync<DefinitionException>()).Which;
        error.Errors.Select(e => e.ToString()).Should().Contain(string.Format(CultureInfo.InvariantCulture, expected, definition.Id));
        error.Message.Should().StartWith($"Invalid dataset definition {definition.Id}: ").And.NotContain("\n");
        (await registry.GetAsync(definition.Id)).Should().BeNull("nothing is stored");
        (await LocalIngest.CreateBackends(new LocalIngestOptions { Root = _root.Path }).Registry.GetAsync(definition.Id)).Should().BeNull("nothing reached the SQLite file");
    }

    [Fact]
    public async Task ReadFileAsync_WithTheRegistrations_RefusesAColumnWithoutAField()
    {
        await using var provider = Services();
        var json = (await File.ReadAllTextAsync(DefinitionPath)).Replace("""{ "name": "paid_on", "width": 10 }""", """{ "name": "paid_at", "width": 10 }""", StringComparison.Ordinal);
        var path = Path.Combine(_root.Path, "payments.cards.json");
        await File.WriteAllTextAsync(path, json);

        var act = () => DatasetDefinitionSerializer.ReadFileAsync(path, provider.GetRequiredService<IngestExtensions>());

        (await act.Should().ThrowAsync<DefinitionException>()).Which.Message.Should().Be(
            "Invalid dataset definition payments.cards.json: $.source.options.fields: dataset payments.cards: payment_id, holder, card_number, amount, paid_at, expected a field for every required column, none for paid_on.");
    }
}

/// <summary>The sample's rule passes the contract suite of custom rules.</summary>
public sealed class LuhnRuleContractTests : QualityRuleContractTests
{
    protected override string RuleType => "luhn";

    protected override DatasetDefinition Definition => DatasetDefinitionSerializer.ReadFileAsync(
        Path.Combine(AppContext.BaseDirectory, "definitions", "payments.cards.json"),
        new IngestExtensionsBuilder().AddQualityRule("luhn", c => new LuhnRule(c)).AddSourceFormat("fixed-width", c => new FixedWidthReader(c)).Build()).GetAwaiter().GetResult() is var d
        ? d with { Partitioning = [], Quality = d.Quality with { Rules = [d.Quality.Rules[0]] } }
        : null!;

    protected override IReadOnlyList<object[]> PassingRows => [["4111 1111 1111 1111"], ["5105 1051 0510 5100"], ["340000000000009"]];

    protected override IReadOnlyList<object[]> FailingRows => [["4111 1111 1111 1112"], ["4111-1111-1111-1111"], ["42"]];

    protected override string CsvWithOnePassingAndOneFailingRow
        => "payment_id,holder,card_number,amount,paid_on\n1,Ann,4111 1111 1111 1111,1.00,2025-06-01\n2,Bob,4111 1111 1111 1112,1.00,2025-06-01\n";

    protected override IQualityRule CreateRule(QualityRuleContext context) => new LuhnRule(context);
}

/// <summary>The sample's reader passes the contract suite of custom readers.</summary>
public sealed class FixedWidthReaderContractTests : SourceReaderContractTests
{
    protected override string Format => "fixed-width";

    protected override DatasetDefinition Definition => DatasetDefinitionSerializer.ReadFileAsync(
        Path.Combine(AppContext.BaseDirectory, "definitions", "payments.cards.json"),
        new IngestExtensionsBuilder().AddQualityRule("luhn", c => new LuhnRule(c)).AddSourceFormat("fixed-width", c => new FixedWidthReader(c)).Build()).GetAwaiter().GetResult();

    protected override byte[] Input => Encoding.Latin1.GetBytes(string.Join('\n', Export.Lines().Take(2).Append(string.Empty).Append("00000009Truncated Line")) + "\n");

    protected override IReadOnlyList<ExpectedSourceRecord> ExpectedRecords =>
    [
        new(1, ["00000001", "Zoë Müller", "4111 1111 1111 1111", "120.50", "2025-06-02"]),
        new(2, ["00000002", "Jörg Weiß", "5500 0000 0000 0004", "35.00", "2025-06-03"]),
        new(4, null, "00000009Truncated Line"),
    ];

    protected override IReadOnlyList<InvalidSourceOptions> InvalidOptions =>
    [
        .. base.InvalidOptions,
        new("""{"fields": [{"name": "payment_id", "width": 0}]}""", "fields[0].width"),
        new("""{"fields": []}""", "fields"),
        new("""{"fields": [{"name": "payment_id", "width": 8}, {"name": "payment_id", "width": 8}]}""", "fields[1].name"),
    ];

    protected override ISourceReader CreateReader(SourceReaderContext context) => new FixedWidthReader(context);
}
