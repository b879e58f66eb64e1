using System.Globalization;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Engine;

namespace Ingest.Local.Tests;

/// <summary>
/// <see cref="ScanEstimates"/> over tables the engine wrote into a folder lake: each estimate is checked against the sizes
/// of the Parquet files on disk that a reader of the matching partitions (or row ranges) has to open.
/// </summary>
public sealed class ScanEstimateTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task EstimateAsync_PartitionAndBoundsPruning_MatchTheFilesOnDisk()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        await backends.Registry.RegisterAsync(Events());
        var afterRun = new List<HashSet<string>>();
        for (var run = 0; run < 3; run++)
        {
            // Run r: ids r*1000+1 … r*1000+100 over five days, one file per day.
            await RunAsync(backends, Csv($"run{run}.csv", (run * 1000) + 1, (run * 1000) + 100));
            afterRun.Add([.. DataFiles()]);
        }

        var files = DataFiles();
        files.Should().HaveCount(15, "three runs, five daily partitions each");
        long Size(IEnumerable<string> paths) => paths.Sum(p => new FileInfo(p).Length);
        var third = files.Except(afterRun[1]).ToList();

        (await EstimateAsync(backends, "select * from sales.events")).Bytes.Should().Be(Size(files));
        var day = await EstimateAsync(backends, "select count(*) from sales.events where day = DATE '2024-05-03'");
        day.Bytes.Should().Be(Size(files.Where(f => f.Contains("=2024-05-03", StringComparison.Ordinal))));
        day.Tables.Single().Files.Should().Be(3);
        day.Tables.Single().PrunedBy.Should().Equal("day = DATE '2024-05-03'");
        (await EstimateAsync(backends, "select * from sales.events e where e.day between '2024-05-02' and '2024-05-03' and e.amount >= 0"))
            .Bytes.Should().Be(Size(files.Where(f => f.Contains("=2024-05-02", StringComparison.Ordinal) || f.Contains("=2024-05-03", StringComparison.Ordinal))));
        (await EstimateAsync(backends, "select * from sales.events where id > ?", 2000L)).Bytes.Should().Be(Size(third), "only the third run's files hold ids above 2000 (their min/max)");
        (await EstimateAsync(backends, "select * from sales.events where 2000 < id and day < DATE '2024-05-02'"))
            .Bytes.Should().Be(Size(third.Where(f => f.Contains("=2024-05-01", StringComparison.Ordinal))));
        (await EstimateAsync(backends, "select * from sales.events where id > 2000 or day = DATE '2024-05-03'")).Bytes.Should().Be(Size(files), "an OR prunes nothing");
        (await EstimateAsync(backends, "select * from sales.events where 'day = 1' <> '' and upper(country) = 'DE'")).Bytes.Should().Be(Size(files), "functions and strings prune nothing");
        (await EstimateAsync(backends, "select * from sales.events where case when country = 'DE' and id > 2000 then 1 else 0 end = 1")).Bytes.Should().Be(Size(files), "an AND inside CASE is no conjunct of the WHERE clause");
        (await EstimateAsync(backends, "select * from sales.events where sales.events.id > 2000 and x.y.z.w = 1")).Bytes.Should().Be(Size(third), "a column qualified by the table's full name prunes it");
        (await EstimateAsync(backends, "select * from (select * from sales.events) x where x.day = DATE '2024-05-03'")).Bytes.Should().Be(Size(files), "a predicate outside the table's own SELECT does not prune it");
        (await EstimateAsync(backends, "select * from sales.events a join sales.events b on a.id = b.id where day = DATE '2024-05-03'"))
            .Bytes.Should().Be(2 * Size(files), "in a join a bare column may be either table's: each reference counts whole");
        var history = await TableSnapshots.ListAsync((await backends.Registry.GetAsync(DatasetId.Parse("sales.events")))!, backends.Lake, backends.IcebergCatalog!);
        var first = await EstimateAsync(backends, "select * from sales.events", asOf: TableVersion.OfSnapshot(history[^1].SnapshotId));
        first.Bytes.Should().Be(Size(afterRun[0]), "as of the first snapshot only its files are read");
    }

    [Fact]
    public async Task EstimateAsync_UnknownSnapshot_Throws_AndHiveTablesAreListedAsNotEstimated()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        await backends.Registry.RegisterAsync(Events());
        await backends.Registry.RegisterAsync(Events() with { Id = DatasetId.Parse("sales.legacy"), Table = new TableSettings { Format = TableFormat.Hive } });
        await RunAsync(backends, Csv("a.csv", 1, 10));

        var act = () => EstimateAsync(backends, "select * from sales.events", asOf: TableVersion.OfSnapshot(42));
        var hive = await EstimateAsync(backends, "select * from sales.events e join sales.legacy l on l.id = e.id");

        await act.Should().ThrowAsync<SnapshotNotFoundException>().WithMessage("*snapshot 42*");
        hive.NotEstimated.Should().Equal("sales.legacy");
        hive.Tables.Should().ContainSingle().Which.Bytes.Should().Be(DataFiles().Sum(p => new FileInfo(p).Length));
    }

    private static async Task<ScanEstimate> EstimateAsync(IngestBackends backends, string sql, object? parameter = null, TableVersion? asOf = null)
    {
        var datasets = await backends.Registry.ListAsync().ToListAsync();
        return await ScanEstimates.EstimateAsync(sql, datasets, backends.Lake, backends.IcebergCatalog!, new QueryOptions { Parameters = parameter is null ? null : [parameter], AsOf = asOf });
    }

    private static DatasetDefinition Events() => DatasetDefinitionSerializer.Deserialize("""
        {
          "id": "sales.events",
          "source": { "format": "csv" },
          "columns": [
            { "name": "id", "type": "int64", "nullable": false },
            { "name": "day", "type": "date", "nullable": false },
            { "name": "country", "type": "string" },
            { "name": "amount", "type": "decimal(18,2)" }
          ],
          "partitioning": [{ "column": "day", "transform": "day" }],
          "write": { "mode": "append" }
        }
        """);

    private string[] DataFiles()
        => [.. Directory.GetFiles(Path.Combine(_root.Path, "lake", "curated", "sales", "events", "data"), "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    private string Csv(string name, int from, int to)
    {
        var path = Path.Combine(_root.Path, name);
        var lines = new List<string> { "id,day,country,amount" };
        for (var id = from; id <= to; id++)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{id},2024-05-{(id % 5) + 1:D2},{(id % 3 == 0 ? "DE" : "FR")},{(id % 97) + 0.25m}"));
        }

        File.WriteAllLines(path, lines);
        return path;
    }

    private static async Task RunAsync(IngestBackends backends, string csv)
    {
        var result = await new IngestPipelineBuilder(backends).ForDataset(DatasetId.Parse("sales.events")).Build().RunAsync([IngestInput.FromFile(csv)]);
        result.Run.RowsRejected.Should().Be(0);
    }
}
