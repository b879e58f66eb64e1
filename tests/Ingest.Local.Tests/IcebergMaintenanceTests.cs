using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Registry;
using static Ingest.Local.Tests.IndependentReaders;

namespace Ingest.Local.Tests;

/// <summary>
/// Maintenance of the Iceberg tables the engine writes (compaction, snapshot expiry, orphan removal), on the local
/// backends (SQLite catalog, folder lake) and judged by icebird and DuckDB: the same rows and sums before and after,
/// only files no retained snapshot references are deleted, a reader holding a snapshot finishes before its files go,
/// a concurrent overwrite makes compaction give up without harm, and an interrupted expiry is finished next time.
/// </summary>
public sealed class IcebergMaintenanceTests : IDisposable
{
    private static readonly DatasetId Orders = DatasetId.Parse("sales.orders");
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Compaction_365DailyPartitionsOf10SmallFiles_LeavesOneFilePerPartition_SameRowsAndSums_AndExpiryDeletesTheSmallFiles()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Definition("append"));
        for (var run = 0; run < 10; run++)
        {
            await RunAsync(backends, YearCsv($"run{run}.csv", run));
        }

        var before = await CountAndSumAsync(backends);
        before.Count.Should().Be(10 * 365 * 3);
        DataFilesOnDisk().Should().HaveCount(3650, "ten runs over 365 daily partitions");

        var compacted = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.Compact });
        compacted.Compaction!.Partitions.Should().Be(365);
        compacted.Compaction.FilesRemoved.Should().Be(3650);
        compacted.Compaction.FilesAdded.Should().Be(365, "one file of the target size holds a partition's rows");
        compacted.Compaction.FilesAfter.Should().Be(365);
        compacted.Compaction.SnapshotId.Should().NotBeNull();
        (await CountAndSumAsync(backends)).Should().Be(before, "compaction rewrites the same rows");
        var icebird = await IcebirdAsync(TablePath(), CurrentMetadataFile(), "amount");
        ((long)icebird.GetProperty("rows").GetInt64(), icebird.GetProperty("sums").GetProperty("amount").GetDecimal()).Should().Be(before, "icebird reads the replace snapshot with the same rows and sum");
        icebird.GetProperty("liveFiles").GetArrayLength().Should().Be(365);
        var snapshots = await TableSnapshots.ListAsync(registered, backends.Lake, backends.IcebergCatalog!);
        snapshots[0].Operation.Should().Be("replace");
        snapshots[0].TotalRecords.Should().Be(before.Count);

        // Expire every snapshot but the current one and remove what no snapshot references: the small files go.
        var expired = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { RetainFor = TimeSpan.Zero, RetainLast = 1, OrphanGrace = TimeSpan.Zero });
        expired.Expiry!.Expired.Should().HaveCount(10);
        expired.Expiry.DataFilesDeleted.Should().Be(3650);
        expired.BytesSaved.Should().BeGreaterThan(0);
        var live = (await IcebirdAsync(TablePath(), CurrentMetadataFile(), "amount")).GetProperty("liveFiles").EnumerateArray().Select(f => f.GetString()!).ToList();
        DataFilesOnDisk().Should().BeEquivalentTo(live, "only the current snapshot's data files remain, and every one it references exists");
        await AssertEveryReferencedFileExistsAsync();
        (await CountAndSumAsync(backends)).Should().Be(before);
        (await TableSnapshots.ListAsync(registered, backends.Lake, backends.IcebergCatalog!)).Should().ContainSingle();
    }

    [Fact]
    public async Task Expiry_WithRetentionZero_WaitsForAReaderHoldingTheReplacedSnapshot_ThenDeletesItsFiles()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Definition("append"));
        for (var run = 0; run < 5; run++)
        {
            await RunAsync(backends, Csv($"r{run}.csv", (run * 100) + 1, (run * 100) + 100, day: 1));
        }

        // A reader holds the table, then resolves the current snapshot's five files; compaction replaces them.
        var hold = await TableMaintenance.HoldAsync(registered, backends.Lake, TimeSpan.FromMinutes(10));
        var held = await TableSnapshots.ResolveAsync(registered, backends.Lake, backends.IcebergCatalog!);
        held.Files.Should().HaveCount(5);
        (await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.Compact })).Compaction!.FilesAdded.Should().Be(1);

        var expiry = TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.ExpireSnapshots, RetainFor = TimeSpan.Zero, RetainLast = 1, ReaderWait = TimeSpan.FromMinutes(2) });
        await Task.Delay(TimeSpan.FromSeconds(1));
        expiry.IsCompleted.Should().BeFalse("expiry waits for the reader that holds the snapshot it would expire");
        held.Files.Should().OnlyContain(f => File.Exists(f), "no file the reader holds is deleted while it reads");
        (await DuckDbCountAndSumAsync(held.Files)).Item1.Should().Be(500, "the reader finishes reading the replaced snapshot");

        await hold.DisposeAsync();
        var report = await expiry;
        report.Expiry!.Expired.Should().HaveCount(5);
        report.Expiry.HeldByReaders.Should().BeEmpty();
        held.Files.Should().OnlyContain(f => !File.Exists(f), "once the reader let go, the files only expired snapshots referenced are deleted");
        await AssertEveryReferencedFileExistsAsync();
        (await CountAndSumAsync(backends)).Count.Should().Be(500);
    }

    [Fact]
    public async Task Expiry_WhenTheReaderDoesNotLetGoInTime_KeepsTheHeldSnapshotForTheNextMaintenance()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Definition("overwrite-partitions"));
        await RunAsync(backends, Csv("a.csv", 1, 100, day: 1));
        await using var hold = await TableMaintenance.HoldAsync(registered, backends.Lake, TimeSpan.FromMinutes(10));
        var held = await TableSnapshots.ResolveAsync(registered, backends.Lake, backends.IcebergCatalog!);
        await RunAsync(backends, Csv("b.csv", 1, 100, day: 1, amount: 3m));

        var report = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.ExpireSnapshots, RetainFor = TimeSpan.Zero, RetainLast = 1, ReaderWait = TimeSpan.FromMilliseconds(500) });
        report.Expiry!.Expired.Should().BeEmpty();
        report.Expiry.HeldByReaders.Should().Equal(held.SnapshotId!.Value);
        held.Files.Should().OnlyContain(f => File.Exists(f));

        // Without readers, expiry also takes a replaced snapshot whose commit is younger than the wait.
        await hold.DisposeAsync();
        var again = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.ExpireSnapshots, RetainFor = TimeSpan.Zero, RetainLast = 1 });
        again.Expiry!.Expired.Should().Equal(held.SnapshotId!.Value);
        held.Files.Should().OnlyContain(f => !File.Exists(f), "the overwritten file of the first run goes with its snapshot");
        (await CountAndSumAsync(backends)).Should().Be((100L, 300m));
    }

    [Fact]
    public async Task DefaultRetention_KeepsRecentSnapshots_AndTheDefinitionsRetentionIsATableProperty()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Definition("append", """ "maintenance": { "snapshotRetentionDays": 3, "minSnapshotsToKeep": 2 } """));
        for (var run = 0; run < 4; run++)
        {
            await RunAsync(backends, Csv($"r{run}.csv", (run * 10) + 1, (run * 10) + 10, day: 1));
        }

        var metadata = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(TablePath(), "metadata", CurrentMetadataFile())))!;
        ((string)metadata["properties"]!["history.expire.max-snapshot-age-ms"]!).Should().Be((3L * 86_400_000).ToString(CultureInfo.InvariantCulture));
        ((string)metadata["properties"]!["history.expire.min-snapshots-to-keep"]!).Should().Be("2");
        var now = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.ExpireSnapshots });
        now.Expiry!.Expired.Should().BeEmpty("every snapshot is younger than three days");

        // Four days later by the clock, only the latest two (minSnapshotsToKeep) remain.
        var later = new ShiftedTime(TimeSpan.FromDays(4));
        var report = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.ExpireSnapshots, Time = later });
        report.Expiry!.Expired.Should().HaveCount(2);
        (await TableSnapshots.ListAsync(registered, backends.Lake, backends.IcebergCatalog!)).Should().HaveCount(2);
        (await CountAndSumAsync(backends)).Count.Should().Be(40, "expiry never changes the current rows");
    }

    [Fact]
    public async Task DryRun_ReportsWhatItWouldDo_AndChangesNothing()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Definition("append"));
        for (var run = 0; run < 6; run++)
        {
            await RunAsync(backends, Csv($"r{run}.csv", (run * 10) + 1, (run * 10) + 10, day: 1));
        }

        var files = AllTableFiles();
        var pointer = CurrentMetadataFile();
        var report = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { DryRun = true, RetainFor = TimeSpan.Zero, RetainLast = 1, OrphanGrace = TimeSpan.Zero });
        report.DryRun.Should().BeTrue();
        report.Compaction!.FilesRemoved.Should().Be(6);
        report.Compaction.FilesAdded.Should().Be(1);
        report.Expiry!.Expired.Should().HaveCount(5);
        AllTableFiles().Should().Equal(files, "a dry run writes and deletes nothing");
        CurrentMetadataFile().Should().Be(pointer);
    }

    [Fact]
    public async Task Orphans_OfARunThatDiedBeforeItsCommit_AreDeletedAfterTheGracePeriod_ButNotThoseOfARunningRun()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Definition("append"));
        await RunAsync(backends, Csv("a.csv", 1, 100, day: 1));
        var live = (await TableSnapshots.ResolveAsync(registered, backends.Lake, backends.IcebergCatalog!)).Files.Single();
        var folder = Path.GetDirectoryName(live)!;
        var dead = Path.Combine(folder, "part-20240101T000000Z-deadbeef-00000.parquet");
        var running = Path.Combine(folder, "part-20240101T000001Z-0badc0de-00000.parquet");
        var strayMetadata = Path.Combine(TablePath(), "metadata", "00099-" + Guid.NewGuid() + ".metadata.json");
        File.Copy(live, dead);
        File.Copy(live, running);
        File.WriteAllText(strayMetadata, "{}");
        await backends.Ledger.StartRunAsync(new RunRecord { RunId = "20240101T000001Z-0badc0de", Dataset = Orders, DefinitionVersion = 1, Status = RunStatus.Running, StartedAt = DateTimeOffset.UtcNow });

        var young = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.RemoveOrphans, OrphanGrace = TimeSpan.FromHours(1) });
        young.Orphans!.Files.Should().BeEmpty("files younger than the grace period may belong to a run about to commit");

        var report = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.RemoveOrphans, OrphanGrace = TimeSpan.Zero });
        report.Orphans!.Files.Should().HaveCount(2);
        File.Exists(dead).Should().BeFalse();
        File.Exists(strayMetadata).Should().BeFalse();
        File.Exists(running).Should().BeTrue("the ledger shows its run running");
        File.Exists(live).Should().BeTrue();
        await AssertEveryReferencedFileExistsAsync();
        (await CountAndSumAsync(backends)).Count.Should().Be(100);
    }

    [Fact]
    public async Task Compaction_WhenAnOverwriteReplacesItsFilesFirst_GivesUpWithoutHarm()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        await backends.Registry.RegisterAsync(Definition("append"));
        for (var run = 0; run < 5; run++)
        {
            await RunAsync(backends, Csv($"r{run}.csv", (run * 10) + 1, (run * 10) + 10, day: 1));
        }

        // The next version overwrites partitions: its run of day 1 commits just before compaction swaps.
        var registered = await backends.Registry.RegisterAsync(Definition("overwrite-partitions"));
        var racing = new RacingCatalog(backends.IcebergCatalog!, async () => await RunAsync(backends, Csv("over.csv", 1, 5, day: 1, amount: 9m)));
        var report = await TableMaintenance.MaintainAsync(registered, backends.Lake, racing, backends.Ledger, new() { Steps = MaintenanceSteps.Compact });
        racing.Raced.Should().BeTrue();
        report.Compaction!.GaveUp.Should().NotBeNull("the overwrite replaced the files compaction rewrote");
        report.Compaction.SnapshotId.Should().BeNull();
        Directory.GetFiles(TablePath(), "compacted-*", SearchOption.AllDirectories).Should().BeEmpty("compaction deletes what it wrote when it gives up");
        (await CountAndSumAsync(backends)).Should().Be((5L, 45m), "the overwrite won: day 1 holds its five rows");
        (await TableSnapshots.ListAsync(registered, backends.Lake, backends.IcebergCatalog!))[0].Operation.Should().Be("overwrite");
        await AssertEveryReferencedFileExistsAsync();
    }

    [Fact]
    public async Task Compaction_WhenAnAppendCommitsFirst_RebasesOnIt()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Definition("append"));
        for (var run = 0; run < 5; run++)
        {
            await RunAsync(backends, Csv($"r{run}.csv", (run * 10) + 1, (run * 10) + 10, day: 1));
        }

        var racing = new RacingCatalog(backends.IcebergCatalog!, async () => await RunAsync(backends, Csv("late.csv", 1000, 1009, day: 2)));
        var report = await TableMaintenance.MaintainAsync(registered, backends.Lake, racing, backends.Ledger, new() { Steps = MaintenanceSteps.Compact });
        racing.Raced.Should().BeTrue();
        report.Compaction!.SnapshotId.Should().NotBeNull("an append does not touch the files compaction replaced: it rebases");
        (await CountAndSumAsync(backends)).Count.Should().Be(60, "the compacted rows and the append's rows");
        var snapshots = await TableSnapshots.ListAsync(registered, backends.Lake, backends.IcebergCatalog!);
        snapshots[0].Operation.Should().Be("replace");
        snapshots[1].Operation.Should().Be("append");
        var icebird = await IcebirdAsync(TablePath(), CurrentMetadataFile(), "amount");
        icebird.GetProperty("rows").GetInt64().Should().Be(60);
    }

    [Fact]
    public async Task Expiry_OfARolledBackRun_KeepsItsInputsReingestable()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Definition("append"));
        await RunAsync(backends, Csv("a.csv", 1, 10, day: 1));
        var first = (await TableSnapshots.ListAsync(registered, backends.Lake, backends.IcebergCatalog!))[0].SnapshotId;
        var b = Csv("b.csv", 11, 20, day: 1);
        await RunAsync(backends, b);
        await TableSnapshots.RollbackAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, first);

        var report = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.ExpireSnapshots, RetainFor = TimeSpan.Zero, RetainLast = 1 });
        report.Expiry!.Expired.Should().HaveCount(1, "the rolled-back snapshot is past retention and not in the current history");
        var again = await new IngestPipelineBuilder(backends).ForDataset(Orders).Build().RunAsync([IngestInput.FromFile(b)]);
        again.Run.RowsWritten.Should().Be(10, "its run was rolled back: the input is not in the table, even after its snapshot expired");
        (await CountAndSumAsync(backends)).Count.Should().Be(20);
    }

    [Fact]
    public async Task AnExpiryKilledAfterItsSwap_IsFinishedByTheNextMaintenance_FromItsJournal()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Definition("append"));
        await RunAsync(backends, Csv("a.csv", 1, 10, day: 1));
        var live = (await TableSnapshots.ResolveAsync(registered, backends.Lake, backends.IcebergCatalog!)).Files.Single();
        var unreferenced = Path.Combine(Path.GetDirectoryName(live)!, "part-20240101T000000Z-cafebabe-00000.parquet");
        File.Copy(live, unreferenced);

        // The state a kill between the swap and the deletions leaves: a journal naming files, one of them still referenced.
        var journals = Path.Combine(_root.Path, "lake", "curated", "_maintenance", "sales", "orders");
        Directory.CreateDirectory(journals);
        var journal = Path.Combine(journals, "expire-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(journal, JsonSerializer.Serialize(new { operation = "expire", metadata = "unused", delete = new[] { unreferenced, live } }));

        var report = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.None });
        report.JournalsFinished.Should().Be(1);
        File.Exists(unreferenced).Should().BeFalse("no snapshot references it: the interrupted expiry meant to delete it");
        File.Exists(live).Should().BeTrue("a file the table still references is never deleted, whatever a journal says");
        File.Exists(journal).Should().BeFalse();
        (await CountAndSumAsync(backends)).Count.Should().Be(10);
    }

    [Fact]
    public async Task AfterRuns_ARunThatCrossesTheThreshold_MaintainsTheTable()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        await backends.Registry.RegisterAsync(Definition("append", """ "maintenance": { "afterRuns": true, "compactionMinFiles": 3, "snapshotRetentionDays": 0, "minSnapshotsToKeep": 1 } """));
        var pipeline = new IngestPipelineBuilder(backends).ForDataset(Orders).Build();
        var first = await pipeline.RunAsync([IngestInput.FromFile(Csv("a.csv", 1, 10, day: 1))]);
        var second = await pipeline.RunAsync([IngestInput.FromFile(Csv("b.csv", 11, 20, day: 1))]);
        first.Maintenance!.Compaction!.FilesRemoved.Should().Be(0, "one small file is under the threshold of three");
        second.Maintenance!.Compaction!.FilesRemoved.Should().Be(0);
        DataFilesOnDisk().Should().HaveCount(2);

        var third = await pipeline.RunAsync([IngestInput.FromFile(Csv("c.csv", 21, 30, day: 1))]);
        third.Maintenance!.Compaction!.FilesRemoved.Should().Be(3, "the third small file of the partition crosses the threshold");
        third.Maintenance.Expiry!.Expired.Should().NotBeEmpty("retention 0 keeps only the latest snapshot");
        DataFilesOnDisk().Should().ContainSingle("the expired snapshots' small files are deleted");
        (await CountAndSumAsync(backends)).Count.Should().Be(30);
        await AssertEveryReferencedFileExistsAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Compaction_SortByKeys_WritesThePartitionOrderedByTheKeys(bool sortByKeys)
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Definition("append", $$""" "maintenance": { "sortByKeys": {{(sortByKeys ? "true" : "false")}} } """));
        for (var run = 0; run < 5; run++)
        {
            // Run r holds the ids r+1, r+6, r+11, …: the runs' files interleave.
            var path = Path.Combine(_root.Path, $"i{run}.csv");
            File.WriteAllLines(path, ["order_id,order_date,country,amount", .. Enumerable.Range(0, 20).Select(i => string.Create(CultureInfo.InvariantCulture, $"{run + 1 + (i * 5)},2024-05-01,DE,1.00"))]);
            await RunAsync(backends, path);
        }

        var report = await TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, new() { Steps = MaintenanceSteps.Compact });
        report.Compaction!.PartitionsSorted.Should().Be(sortByKeys ? 1 : 0);
        var file = (await TableSnapshots.ResolveAsync(registered, backends.Lake, backends.IcebergCatalog!)).Files.Single();
        var ids = (await QueryDuckDbAsync($"SELECT order_id FROM read_parquet('{file.Replace("'", "''", StringComparison.Ordinal)}')")).Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ToList();
        ids.Should().HaveCount(100);
        if (sortByKeys)
        {
            ids.Should().BeInAscendingOrder("the partition's rows are written ordered by order_id");
        }
        else
        {
            ids.Should().NotBeInAscendingOrder("without sortByKeys the rows keep the order of the files read");
        }
    }

    [Fact]
    public async Task Maintain_OnAHiveTable_SaysItAppliesToIcebergTables()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Definition("append", """ "format": "hive" """));
        var act = () => TableMaintenance.MaintainAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger);
        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Hive table");
    }

    /// <summary>Every file the current metadata references (its log, manifest list, manifests, data files) exists.</summary>
    private async Task AssertEveryReferencedFileExistsAsync()
    {
        var metadataPath = Path.Combine(TablePath(), "metadata", CurrentMetadataFile());
        var metadata = JsonNode.Parse(await File.ReadAllTextAsync(metadataPath))!;
        foreach (var entry in metadata["metadata-log"]!.AsArray())
        {
            File.Exists((string)entry!["metadata-file"]!).Should().BeTrue("the metadata log names only files that exist");
        }

        foreach (var snapshot in metadata["snapshots"]!.AsArray())
        {
            var list = (string)snapshot!["manifest-list"]!;
            File.Exists(list).Should().BeTrue($"snapshot {snapshot["snapshot-id"]}'s manifest list exists");
            var icebird = await IcebirdAsync(TablePath(), Path.GetFileName(metadataPath));
            foreach (var file in icebird.GetProperty("liveFiles").EnumerateArray())
            {
                File.Exists(file.GetString()).Should().BeTrue($"{file.GetString()} is referenced by the current snapshot");
            }
        }
    }

    private static async Task<(long Count, decimal Sum)> CountAndSumAsync(IngestBackends backends)
    {
        await using var result = await backends.Query!.QueryAsync("SELECT count(*), coalesce(sum(amount), 0) FROM sales.orders");
        await foreach (var row in result.ReadRowsAsync())
        {
            return (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToDecimal(row[1], CultureInfo.InvariantCulture));
        }

        throw new InvalidOperationException("no row");
    }

    private static DatasetDefinition Definition(string mode, string? table = null) => DatasetDefinitionSerializer.Deserialize($$"""
        {
          "id": "sales.orders",
          "source": { "format": "csv" },
          "columns": [
            { "name": "order_id", "type": "int64", "nullable": false },
            { "name": "order_date", "type": "date", "nullable": false },
            { "name": "country", "type": "string" },
            { "name": "amount", "type": "decimal(18,2)" }
          ],
          "keys": ["order_id"],
          "partitioning": [{ "column": "order_date", "transform": "day" }],
          "write": { "mode": "{{mode}}" }{{(table is null ? string.Empty : $$""", "table": { {{table}} }""")}}
        }
        """);

    private string Csv(string name, int from, int to, int day, decimal? amount = null)
    {
        var path = Path.Combine(_root.Path, name);
        var lines = new List<string> { "order_id,order_date,country,amount" };
        for (var id = from; id <= to; id++)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{id},2024-05-{day:D2},{(id % 3 == 0 ? "DE" : "FR")},{amount ?? (id % 97) + 0.25m}"));
        }

        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>Three rows on every day of 2023 (365 partitions), ids unique per run.</summary>
    private string YearCsv(string name, int run)
    {
        var path = Path.Combine(_root.Path, name);
        var lines = new List<string> { "order_id,order_date,country,amount" };
        var day = new DateOnly(2023, 1, 1);
        for (var d = 0; d < 365; d++, day = day.AddDays(1))
        {
            for (var i = 0; i < 3; i++)
            {
                var id = (run * 10_000) + (d * 3) + i;
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{id},{day:yyyy-MM-dd},{(i == 0 ? "DE" : "FR")},{(id % 89) + 0.5m}"));
            }
        }

        File.WriteAllLines(path, lines);
        return path;
    }

    private static async Task RunAsync(IngestBackends backends, string csv)
    {
        var result = await new IngestPipelineBuilder(backends).ForDataset(Orders).Build().RunAsync([IngestInput.FromFile(csv)]);
        result.Run.Status.Should().Be(RunStatus.Succeeded);
        result.Run.RowsRejected.Should().Be(0);
    }

    private string TablePath() => Path.Combine(_root.Path, "lake", "curated", "sales", "orders");

    private string CurrentMetadataFile()
        => (File.ReadAllText(Path.Combine(TablePath(), "metadata", "version-hint.text")) + ".metadata.json").Trim();

    private List<string> DataFilesOnDisk() => [.. Directory.GetFiles(Path.Combine(TablePath(), "data"), "*.parquet", SearchOption.AllDirectories)];

    private List<string> AllTableFiles() => [.. Directory.GetFiles(TablePath(), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    /// <summary>The local catalog, with one commit by another writer just before the first swap that maintenance attempts.</summary>
    private sealed class RacingCatalog(IIcebergCatalog inner, Func<Task> race) : IIcebergCatalog
    {
        public bool Raced { get; private set; }

        public Task<string?> LoadAsync(RegisteredDefinition definition, CancellationToken cancellationToken = default) => inner.LoadAsync(definition, cancellationToken);

        public async Task<bool> TryCommitAsync(RegisteredDefinition definition, string? expectedMetadataLocation, string newMetadataLocation, CancellationToken cancellationToken = default)
        {
            if (!Raced)
            {
                Raced = true;
                await race();
            }

            return await inner.TryCommitAsync(definition, expectedMetadataLocation, newMetadataLocation, cancellationToken);
        }
    }

    private sealed class ShiftedTime(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + by;
    }
}
