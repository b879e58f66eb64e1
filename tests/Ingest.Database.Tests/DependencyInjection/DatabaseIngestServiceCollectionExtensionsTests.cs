using Ingest.Database.Tests.Infrastructure;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Local;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ingest.Database.Tests.DependencyInjection;

public sealed class DatabaseIngestServiceCollectionExtensionsTests : IDisposable
{
    private readonly LakeHarness _lake = new();

    public void Dispose() => _lake.Dispose();

    [Fact]
    public async Task AddIngestDatabase_PipelinesFromTheFactoryExtract_WithTheConnectionFromConfiguration()
    {
        var file = Path.Combine(_lake.Root, "src.db");
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE items (id INTEGER, label TEXT); INSERT INTO items VALUES (1, 'a'), (2, 'b');";
            command.ExecuteNonQuery();
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:shop"] = $"Data Source={file};Pooling=False" }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddIngest()
            .AddIngestLocal(o => o.Root = Path.Combine(_lake.Root, "home"))
            .AddIngestDatabase(o => o.Providers[DatabaseProvider.Sqlite] = SqliteFactory.Instance);
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var backends = provider.GetRequiredService<IngestBackends>();
        await backends.Registry.RegisterAsync(DatasetDefinitionSerializer.Deserialize("""
            {
              "id": "shop.items",
              "source": { "format": "database", "database": { "connection": "shop", "provider": "sqlite", "table": "items" } },
              "columns": [ { "name": "id", "type": "int64" }, { "name": "label", "type": "string" } ]
            }
            """));

        var run = await provider.GetRequiredService<IIngestPipelineFactory>().CreateBuilder(DatasetId.Parse("shop.items")).Build().ExtractAndRunAsync();

        run.Run.RowsWritten.Should().Be(2);
    }

    [Fact]
    public void AddIngestDatabase_InvalidOptions_FailOnStart()
    {
        var services = new ServiceCollection().AddIngestDatabase(o => o.RowGroupRows = 10);
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<DatabaseSourceOptions>>().Value;

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*RowGroupRows*");
    }

    [Fact]
    public async Task Run_DatabaseSourceWithoutExtractor_SaysHowToRegisterOne()
    {
        await _lake.RegisterAsync("""
            {
              "id": "shop.items",
              "source": { "format": "database", "database": { "connection": "shop", "provider": "sqlite", "table": "items" } },
              "columns": [ { "name": "id", "type": "int64" } ]
            }
            """);

        var run = async () => await new IngestPipelineBuilder(_lake.Backends).ForDataset("shop.items").Build().ExtractAndRunAsync();

        (await run.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*register a source extractor (services.AddIngestDatabase(...) or IngestPipelineBuilder.UseSourceExtractor)*");
        (await _lake.Backends.Ledger.ListRunsAsync(DatasetId.Parse("shop.items")).ToListAsync()).Should().BeEmpty("the call is refused before a run starts");
    }

    [Fact]
    public async Task ExtractAndRun_FileSource_IsRefusedAtTheCall()
    {
        await _lake.RegisterAsync("""{ "id": "shop.files", "source": { "format": "csv" }, "columns": [ { "name": "id", "type": "int64" } ] }""");

        var run = async () => await new IngestPipelineBuilder(_lake.Backends).ForDataset("shop.files").Build().ExtractAndRunAsync();

        (await run.Should().ThrowAsync<InvalidOperationException>()).WithMessage("Dataset shop.files reads Csv files, not a database: call RunAsync with its input files instead of ExtractAndRunAsync.");
        (await _lake.Backends.Ledger.ListRunsAsync(DatasetId.Parse("shop.files")).ToListAsync()).Should().BeEmpty("the call is refused before a run starts");
    }
}
