using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Ingest.Aws.Glue;
using Ingest.Aws.Protocol;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Aws.Tests.Protocol;
using Ingest.Catalog;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Aws.Tests.EndToEnd;

/// <summary>
/// Iceberg tables on S3 (s3rver) with the Glue Data Catalog as Iceberg catalog: the loopback Glue server keeps tables and
/// their version ids as Glue does (CreateTable fails when the table exists, UpdateTable only at the version read), and
/// every request is checked against Glue's official API model. A reader resolving snapshots while a run commits sees
/// only whole runs and never a missing file; of two writers swapping from the same metadata exactly one wins.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class AwsIcebergTests(AwsServers servers) : ModelCheckedServer("glue-2017-03-31"), IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("ingest-aws-iceberg-").FullName;
    private readonly StatefulGlue _glue = new();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task RunAsync_IcebergOnS3AndGlue_CommitsSnapshots_AReaderSeesWholeRunsOnly()
    {
        ServeGlue();
        var backends = Backends();
        var id = IngestTestData.NewDatasetId("sales");
        var registered = await backends.Registry.RegisterAsync(Orders.Definition(id, "iceberg"));
        var first = Path.Combine(_work, "first.csv");
        var expectedFirst = Orders.WriteCsv(first, 20_000);
        var pipeline = new IngestPipelineBuilder(backends).ForDataset(id).Build();
        (await pipeline.RunAsync([IngestInput.FromFile(first)])).Run.Status.Should().Be(RunStatus.Succeeded);

        var table = Table(registered);
        table["Parameters"]!["table_type"]!.GetValue<string>().Should().Be("ICEBERG");
        table["PartitionKeys"]!.AsArray().Should().BeEmpty("Iceberg partitions are hidden and registered nowhere");
        var snapshot = await TableSnapshots.ResolveAsync(registered, backends.Lake, backends.IcebergCatalog!);
        table["Parameters"]!["metadata_location"]!.GetValue<string>().Should().Be(snapshot.MetadataLocation);
        snapshot.Files.Should().OnlyContain(f => f.StartsWith("s3://", StringComparison.Ordinal));
        (await ReadAsync(backends, registered, snapshot)).Should().Be((expectedFirst.Count, expectedFirst.Sum));

        // A second run commits while this process keeps resolving the current snapshot and reading every file it lists.
        var second = Path.Combine(_work, "second.csv");
        Orders.WriteCsv(second, 60_000);
        var writing = Task.Run(() => pipeline.RunAsync([IngestInput.FromFile(second)]));
        var seen = new HashSet<long>();
        var missing = 0;
        while (!writing.IsCompleted)
        {
            var current = await TableSnapshots.ResolveAsync(registered, backends.Lake, backends.IcebergCatalog!);
            seen.Add(current.Records);
            foreach (var file in current.Files)
            {
                if (await backends.Lake.GetAsync(LakeZone.Curated, KeyOf(backends, registered, file)) is null)
                {
                    missing++;
                }
            }
        }

        (await writing).Run.RowsWritten.Should().Be(60_000);
        missing.Should().Be(0, "no file of a committed snapshot is missing");
        seen.Should().BeSubsetOf([expectedFirst.Count, expectedFirst.Count + 60_000], "readers see the state before or after the run only");
        var after = await TableSnapshots.ResolveAsync(registered, backends.Lake, backends.IcebergCatalog!);
        (await ReadAsync(backends, registered, after)).Item1.Should().Be(expectedFirst.Count + 60_000);
        Table(registered)["Parameters"]!["previous_metadata_location"]!.GetValue<string>().Should().Be(snapshot.MetadataLocation);
        foreach (var zone in LakeZone.All)
        {
            (await backends.Lake.ListAsync(zone, DatasetLayout.StagingDatasetPrefix(id)).CountAsync()).Should().Be(0, $"nothing stays staged in {zone}");
        }
    }

    [Theory]
    [InlineData("glue")]
    [InlineData("dynamodb")]
    public async Task TryCommitAsync_TwoWritersFromTheSameMetadata_ExactlyOneWins(string catalogKind)
    {
        ServeGlue();
        var backends = catalogKind == "glue" ? Backends() : AwsIngest.CreateBackends(servers.Options());
        var registered = new RegisteredDefinition(Orders.Definition(IngestTestData.NewDatasetId("sales"), "iceberg"), 1, DateTimeOffset.UtcNow, "f");
        var catalog = backends.IcebergCatalog!;
        (await catalog.TryCommitAsync(registered, null, "s3://lake/m1.json")).Should().BeTrue();
        (await catalog.TryCommitAsync(registered, null, "s3://lake/m1b.json")).Should().BeFalse("the table exists");

        var results = await Task.WhenAll(
            catalog.TryCommitAsync(registered, "s3://lake/m1.json", "s3://lake/m2a.json"),
            catalog.TryCommitAsync(registered, "s3://lake/m1.json", "s3://lake/m2b.json"));

        results.Count(r => r).Should().Be(1, "a compare-and-swap has one winner");
        (await catalog.LoadAsync(registered)).Should().Be(results[0] ? "s3://lake/m2a.json" : "s3://lake/m2b.json");
    }

    private IngestBackends Backends()
    {
        var backends = AwsIngest.CreateBackends(servers.Options());
        return backends with { IcebergCatalog = AwsAnalytics.CreateIcebergCatalog(new GlueClient(Server.Client(AwsJsonService.Glue)), backends.Lake) };
    }

    private JsonNode Table(RegisteredDefinition registered) => _glue.Table(registered.Definition.CatalogDatabase, registered.Definition.CatalogTable)!;

    private static string KeyOf(IngestBackends backends, RegisteredDefinition registered, string address)
    {
        var prefix = DatasetLayout.DatasetPrefix(registered.Dataset);
        var root = backends.Lake.GetAddress(LakeZone.Curated, prefix).TrimEnd('/') + "/";
        return prefix + address[root.Length..];
    }

    private async Task<(long Count, decimal Sum)> ReadAsync(IngestBackends backends, RegisteredDefinition registered, TableSnapshotFiles snapshot)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_work, "read-" + Guid.NewGuid().ToString("N"))).FullName;
        var local = new List<string>();
        foreach (var address in snapshot.Files)
        {
            var path = Path.Combine(folder, local.Count.ToString(CultureInfo.InvariantCulture) + ".parquet");
            await using (var source = await backends.Lake.OpenReadAsync(LakeZone.Curated, KeyOf(backends, registered, address)))
            await using (var target = File.Create(path))
            {
                await source.CopyToAsync(target);
            }

            local.Add(path);
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*), sum(amount) FROM read_parquet([{string.Join(", ", local.Select(p => "'" + p + "'"))}])";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetDecimal(1));
    }

    private void ServeGlue() => _glue.Serve(Server, everyDatabaseExists: true);
}
