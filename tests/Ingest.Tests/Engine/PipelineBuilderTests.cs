using System.Text;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Storage;
using Ingest.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Engine;

public sealed class PipelineBuilderTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Build_WithoutDataset_ThrowsNamingTheMissingCall()
    {
        var act = () => new IngestPipelineBuilder(_h.Backends).Build();

        act.Should().Throw<InvalidOperationException>().WithMessage("*ForDataset*");
    }

    [Fact]
    public void Build_WithAnOptionOutOfRange_ThrowsNamingTheOption()
    {
        var act = () => new IngestPipelineBuilder(_h.Backends).ForDataset("sales.orders").Configure(o => o.LeaseDuration = TimeSpan.Zero).Build();

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*IngestPipelineOptions.LeaseDuration*");
    }

    [Fact]
    public void Build_Twice_IsRefused()
    {
        var builder = new IngestPipelineBuilder(_h.Backends).ForDataset("sales.orders");
        builder.Build();

        builder.Invoking(b => b.Build()).Should().Throw<InvalidOperationException>().WithMessage("*already built*");
    }

    [Fact]
    public async Task Build_OptionsChangedAfterBuild_DoNotAffectThePipeline()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        IngestPipelineOptions? captured = null;
        var pipeline = new IngestPipelineBuilder(_h.Backends).ForDataset(id).Configure(o => captured = o).Build();

        captured!.MaxOpenFiles = 0;
        captured.LeaseDuration = TimeSpan.Zero;
        var result = await pipeline.RunAsync([EngineHarness.Text("a.csv", "id,customer,amount,qty\n1,a,1.00,1\n")]);

        result.Run.RowsWritten.Should().Be(1, "the pipeline keeps the validated copy taken at Build()");
    }

    [Fact]
    public async Task RunAsync_UnknownDataset_ThrowsDatasetNotFound()
    {
        var act = () => _h.RunAsync(DatasetId.Parse("sales.nothing"), EngineHarness.Text("a.csv", "x\n1\n"));

        (await act.Should().ThrowAsync<DatasetNotFoundException>()).Which.Message.Should().Be("Dataset sales.nothing is not registered: add its definition first (ingest datasets add <file>).");
    }

    [Fact]
    public async Task AddIngest_WithInvalidOptions_FailsAtStartNotAtFirstRun()
    {
        var services = new ServiceCollection().AddIngest(o => o.MaxOpenFiles = 0).AddIngestInMemory();
        await using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<IngestPipelineOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("IngestPipelineOptions.MaxOpenFiles 0 is out of range: expected 1 to 10,000.");
    }

    [Fact]
    public async Task AddIngest_FactoryBuildsPipelinesOverTheRegisteredBackends()
    {
        var services = new ServiceCollection().AddIngest().AddIngestInMemory();
        await using var provider = services.BuildServiceProvider();
        var backends = provider.GetRequiredService<IngestBackends>();
        var id = IngestTestData.NewDatasetId("sales");
        await backends.Registry.RegisterAsync(IngestTestData.Definition(id));

        var pipeline = provider.GetRequiredService<IIngestPipelineFactory>().CreateBuilder(id).Build();
        var result = await pipeline.RunAsync([EngineHarness.Text("a.csv", "id,customer,amount,qty\n1,a,1.00,1\n")]);

        result.Run.RowsWritten.Should().Be(1);
        backends.Lake.Should().BeSameAs(provider.GetRequiredService<ILakeStorage>());
    }

    [Fact]
    public async Task RunAsync_SmallRowGroupAndFileSizes_SplitsOutputButKeepsEveryRow()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with
        {
            Write = new WriteSettings { RowGroupSizeMb = 1, TargetFileSizeMb = 1 },
            Engine = new EngineSettings { MemoryBudgetMb = 16 },
        });
        var csv = new StringBuilder("id,customer,amount,qty\n");
        for (var i = 0; i < 150_000; i++)
        {
            csv.Append(i).Append(",customer-").Append(Guid.NewGuid().ToString("N")).Append(',').Append(i % 1000).Append(".50,").Append(i % 9).Append('\n');
        }

        var result = await _h.RunAsync(id, EngineHarness.Text("big.csv", csv.ToString()));

        result.Run.RowsWritten.Should().Be(150_000);
        var files = _h.Keys(LakeZone.Curated);
        files.Should().HaveCountGreaterThan(1, "files are closed at the target size");
        (await _h.ScalarAsync(id, "SELECT count(*) FROM {curated}")).Should().Be(150_000L);
        (await _h.ScalarAsync(id, "SELECT sum(id)::BIGINT FROM {curated}")).Should().Be(149_999L * 150_000L / 2);
        var rowGroups = (long)(await _h.ScalarAsync(id, "SELECT count(DISTINCT (file_name, row_group_id)) FROM parquet_metadata({curated_glob})"))!;
        rowGroups.Should().BeGreaterThan(files.Count, "row groups are written when the buffered bytes reach the row-group size");
    }
}
