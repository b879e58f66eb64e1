using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro.File;
using Avro.Generic;
using DuckDB.NET.Data;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Registry;

using static Ingest.Local.Tests.IndependentReaders;

namespace Ingest.Local.Tests;

/// <summary>
/// The Iceberg tables the engine writes, judged by independent readers: icebird (JavaScript) reads every snapshot by
/// its metadata file with the same row count and sum as DuckDB over that snapshot's file list; Apache.Avro's reader
/// finds the spec's fields and field ids in every manifest and manifest list; every metadata file has the fields the
/// v2 spec requires; the Parquet files carry the field ids; schema evolution keeps ids and reads old files.
/// </summary>
public sealed class IcebergTableTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("append")]
    [InlineData("overwrite-partitions")]
    [InlineData("merge")]
    public async Task EverySnapshot_IcebirdAgreesWithDuckDbOverTheSnapshotsFiles(string mode)
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Orders(mode));
        registered.Definition.TableFormat.Should().Be(TableFormat.Iceberg, "new datasets default to Iceberg");
        await RunAsync(backends, Csv("a.csv", 1, 300, day: 1));
        await RunAsync(backends, Csv("b.csv", 201, 400, day: 2));
        await RunAsync(backends, Csv("c.csv", 1, 50, day: 1, amount: 7m));

        var metadataFiles = MetadataFiles("sales", "orders");
        metadataFiles.Should().HaveCount(3, "one metadata file per run: the first commit creates the table");
        var sums = new List<(long, decimal)>();
        foreach (var file in metadataFiles)
        {
            var metadata = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
            var snapshotId = (long)metadata["current-snapshot-id"]!;
            var files = (await TableSnapshots.ResolveAsync(registered, backends.Lake, backends.IcebergCatalog!, snapshotId)).Files;
            var duck = await DuckDbCountAndSumAsync(files);
            var icebird = await IcebirdAsync(TablePath("sales", "orders"), Path.GetFileName(file), "amount");
            ((long)icebird.GetProperty("rows").GetInt64(), icebird.GetProperty("sums").GetProperty("amount").GetDecimal()).Should().Be(duck, $"icebird reads {Path.GetFileName(file)} as DuckDB reads its files");
            icebird.GetProperty("liveFiles").EnumerateArray().Select(f => f.GetString()).Should().BeEquivalentTo(files);
            icebird.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString())
                .Should().Equal(["order_id", "order_date", "country", "amount", "_ingest_run_id", "_source_file", "_source_line", "_ingested_at"]);
            sums.Add(duck);
        }

        // What each write mode must leave: a = ids 1..300 day 1, b = 201..400 day 2, c = 1..50 day 1 with amount 7.
        sums[0].Item1.Should().Be(300);
        sums[1].Item1.Should().Be(mode == "merge" ? 400 : 500);
        sums[2].Item1.Should().Be(mode switch { "append" => 550, "overwrite-partitions" => 250, _ => 400 });
        var current = await QueryAsync(backends, "SELECT count(*), sum(amount) FROM sales.orders");
        (Convert.ToInt64(current[0], CultureInfo.InvariantCulture), Convert.ToDecimal(current[1], CultureInfo.InvariantCulture)).Should().Be(sums[2], "the query engine reads the current snapshot");
    }

    [Fact]
    public async Task ManifestsAndLists_AreAvroWithTheSpecsFieldIds_AndMetadataHasEveryRequiredField()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        await backends.Registry.RegisterAsync(Orders("overwrite-partitions"));
        await RunAsync(backends, Csv("a.csv", 1, 100, day: 1));
        await RunAsync(backends, Csv("b.csv", 1, 100, day: 1, amount: 2m));

        string[] required = ["format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms", "last-column-id", "schemas", "current-schema-id", "partition-specs", "default-spec-id", "last-partition-id", "sort-orders", "default-sort-order-id"];
        foreach (var file in MetadataFiles("sales", "orders"))
        {
            var metadata = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
            metadata.Select(p => p.Key).Should().Contain(required, Path.GetFileName(file));
            ((int)metadata["format-version"]!).Should().Be(2);
            foreach (var snapshot in metadata["snapshots"]!.AsArray())
            {
                snapshot!.AsObject().Select(p => p.Key).Should().Contain(["snapshot-id", "sequence-number", "timestamp-ms", "manifest-list", "summary"]);
                ((string)snapshot["summary"]!["operation"]!).Should().BeOneOf("append", "overwrite");
                ((string?)snapshot["summary"]!["ingest.run-id"]).Should().NotBeNullOrEmpty("the summary names the run");
            }
        }

        var lists = Directory.GetFiles(Path.Combine(TablePath("sales", "orders"), "metadata"), "snap-*.avro");
        lists.Should().HaveCount(2);
        foreach (var list in lists)
        {
            var (schema, records) = ReadAvro(list);
            FieldIds(schema).Should().Contain(new Dictionary<string, int>
            {
                ["manifest_path"] = 500, ["manifest_length"] = 501, ["partition_spec_id"] = 502, ["content"] = 517, ["sequence_number"] = 515,
                ["min_sequence_number"] = 516, ["added_snapshot_id"] = 503, ["added_files_count"] = 504, ["existing_files_count"] = 505,
                ["deleted_files_count"] = 506, ["added_rows_count"] = 512, ["existing_rows_count"] = 513, ["deleted_rows_count"] = 514, ["partitions"] = 507,
            });
            records.Should().NotBeEmpty();
            foreach (var manifest in records.Select(r => (string)r["manifest_path"]))
            {
                var (entrySchema, entries) = ReadAvro(manifest);
                FieldIds(entrySchema).Should().Contain(new Dictionary<string, int>
                {
                    ["status"] = 0, ["snapshot_id"] = 1, ["data_file"] = 2, ["file_path"] = 100, ["file_format"] = 101, ["partition"] = 102,
                    ["record_count"] = 103, ["file_size_in_bytes"] = 104, ["column_sizes"] = 108, ["value_counts"] = 109, ["null_value_counts"] = 110,
                    ["lower_bounds"] = 125, ["upper_bounds"] = 128, ["order_date_day"] = 1000,
                });
                entrySchema.Should().Contain("\"logicalType\":\"map\"", "Iceberg readers tell maps from lists by it");
                foreach (var entry in entries)
                {
                    var data = (GenericRecord)entry["data_file"];
                    ((long)data["record_count"]).Should().BeGreaterThan(0);
                    ((object[])data["lower_bounds"]).Should().NotBeEmpty("bounds let engines prune");
                    new FileInfo((string)data["file_path"]).Length.Should().Be((long)data["file_size_in_bytes"]);
                }
            }
        }

        // The second run replaced the first one's file of day 1: the newest manifest list has it as deleted.
        var dataFiles = Directory.GetFiles(Path.Combine(TablePath("sales", "orders"), "data"), "*.parquet", SearchOption.AllDirectories);
        dataFiles.Should().HaveCount(2, "replaced files stay until expired");
        var fieldIds = await QueryDuckDbAsync($"SELECT name, field_id FROM parquet_schema('{dataFiles[0].Replace("'", "''", StringComparison.Ordinal)}') WHERE field_id IS NOT NULL ORDER BY field_id");
        fieldIds.Select(r => r[0]?.ToString()).Should().Equal(["order_id", "order_date", "country", "amount", "_ingest_run_id", "_source_file", "_source_line", "_ingested_at"], "the Parquet schema carries the Iceberg field ids");
        fieldIds.Select(r => Convert.ToInt32(r[1], CultureInfo.InvariantCulture)).Should().Equal([1, 2, 3, 4, 5, 6, 7, 8]);
    }

    [Fact]
    public async Task SchemaEvolution_KeepsFieldIds_AddsNewOnes_AndReadsOldFiles()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        await backends.Registry.RegisterAsync(Orders("append"));
        await RunAsync(backends, Csv("a.csv", 1, 10, day: 1));
        var v2 = Orders("append") with
        {
            Columns = [.. Orders("append").Columns, new ColumnDefinition { Name = "channel", Type = ColumnType.String }],
        };
        await backends.Registry.RegisterAsync(v2);
        var csv = Path.Combine(_root.Path, "b.csv");
        await File.WriteAllTextAsync(csv, "order_id,order_date,country,amount,channel\n11,2024-05-02,FR,1.50,web\n");
        await RunAsync(backends, csv);

        var metadata = JsonNode.Parse(await File.ReadAllTextAsync(MetadataFiles("sales", "orders")[^1]))!;
        var schemas = metadata["schemas"]!.AsArray();
        schemas.Should().HaveCount(2, "adding a column is a new schema");
        var fields = schemas[^1]!["fields"]!.AsArray().ToDictionary(f => (string)f!["name"]!, f => (int)f!["id"]!);
        fields["order_id"].Should().Be(1, "existing columns keep their ids");
        fields["channel"].Should().Be(9, "a new column gets the next id after the last one");
        ((int)metadata["last-column-id"]!).Should().Be(9);
        var rows = await QueryAsync(backends, "SELECT count(*), count(channel) FROM sales.orders");
        Convert.ToInt64(rows[0], CultureInfo.InvariantCulture).Should().Be(11, "old files are read under the new schema");
        Convert.ToInt64(rows[1], CultureInfo.InvariantCulture).Should().Be(1);
    }

    [Fact]
    public async Task SqliteCatalog_TwoProcessesSwappingFromTheSameMetadata_ExactlyOneWins_InTheSqlCatalogsLayout()
    {
        // Two backend instances over one root stand for two processes: separate connections to one SQLite file.
        var a = LocalIngest.CreateBackends(_root.Options).IcebergCatalog!;
        var b = LocalIngest.CreateBackends(_root.Options).IcebergCatalog!;
        var registered = new RegisteredDefinition(Orders("append") with { Table = new TableSettings { Format = TableFormat.Iceberg } }, 1, DateTimeOffset.UtcNow, "f");
        (await a.TryCommitAsync(registered, null, "/m1.json")).Should().BeTrue();
        (await b.TryCommitAsync(registered, null, "/m1b.json")).Should().BeFalse("the table exists");

        for (var round = 0; round < 20; round++)
        {
            var current = (await a.LoadAsync(registered))!;
            var results = await Task.WhenAll(
                Task.Run(() => a.TryCommitAsync(registered, current, $"/a{round}.json")),
                Task.Run(() => b.TryCommitAsync(registered, current, $"/b{round}.json")));
            results.Count(r => r).Should().Be(1, $"round {round}: a compare-and-swap has one winner");
        }

        // The row is where Iceberg's SQL catalog (PyIceberg, Java) looks for it.
        await using var sqlite = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_root.Path, LocalIngest.DatabaseFileName)}");
        await sqlite.OpenAsync();
        await using var command = sqlite.CreateCommand();
        command.CommandText = "SELECT table_namespace, table_name, metadata_location, previous_metadata_location FROM iceberg_tables WHERE catalog_name = 'ingest'";
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        reader.GetString(0).Should().Be("sales");
        reader.GetString(1).Should().Be("orders");
        reader.GetString(2).Should().Be((await b.LoadAsync(registered))!);
        reader.GetString(3).Should().MatchRegex("^/[ab]18.json$");
    }

    [Fact]
    public async Task Snapshots_History_IcebirdReadsEverySnapshotWithTheCountsItClaims()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Orders("overwrite-partitions"));
        var runs = new List<string>();
        foreach (var (name, from, to, day) in new[] { ("a.csv", 1, 300, 1), ("b.csv", 201, 400, 2), ("c.csv", 1, 50, 1) })
        {
            runs.Add(await RunAsync(backends, Csv(name, from, to, day)));
        }

        var history = await TableSnapshots.ListAsync(registered, backends.Lake, backends.IcebergCatalog!);

        history.Select(s => s.RunId).Should().Equal(runs[2], runs[1], runs[0]);
        history.Select(s => (s.Operation, s.AddedRecords, s.DeletedRecords, s.TotalRecords)).Should().Equal(
            ("overwrite", 50L, 300L, 250L), ("overwrite", 200L, 0L, 500L), ("overwrite", 300L, 0L, 300L));
        history.Select(s => s.IsCurrent).Should().Equal(true, false, false);
        history.Should().OnlyContain(s => !s.IsRolledBack && s.DefinitionVersion == 1 && s.Inputs.Count == 1);
        history[0].ParentSnapshotId.Should().Be(history[1].SnapshotId);
        history[2].ParentSnapshotId.Should().BeNull();
        var ledger = await backends.Ledger.ListRunsAsync(registered.Dataset).ToListAsync();
        history.Select(s => s.Inputs[0]).Should().Equal(ledger.Select(r => r.Sources.Single().Sha256), "each snapshot names its run's input");
        foreach (var snapshot in history)
        {
            var file = MetadataFiles("sales", "orders").Single(f => (long)JsonNode.Parse(File.ReadAllText(f))!["current-snapshot-id"]! == snapshot.SnapshotId);
            var icebird = await IcebirdAsync(TablePath("sales", "orders"), Path.GetFileName(file), "amount");
            icebird.GetProperty("rows").GetInt64().Should().Be(snapshot.TotalRecords, $"icebird reads snapshot {snapshot.SnapshotId} with the rows its history claims");
        }
    }

    [Fact]
    public async Task TimeTravelAndRollback_ReadEarlierSnapshots_RollbackSwitchesReadersAndLetsTheInputsBeIngestedAgain()
    {
        var backends = LocalIngest.CreateBackends(_root.Options);
        var registered = await backends.Registry.RegisterAsync(Orders("append"));
        var c = Csv("c.csv", 1, 50, day: 1, amount: 7m);
        await RunAsync(backends, Csv("a.csv", 1, 300, day: 1));
        await RunAsync(backends, Csv("b.csv", 201, 400, day: 2));
        var third = await RunAsync(backends, c);
        var history = await TableSnapshots.ListAsync(registered, backends.Lake, backends.IcebergCatalog!);
        var (latest, second, first) = (history[0], history[1], history[2]);

        // Time travel: by id, by the instant a snapshot was committed, and before the table existed.
        (await CountAsync(backends, new QueryOptions { AsOf = TableVersion.OfSnapshot(second.SnapshotId) })).Should().Be(500);
        (await CountAsync(backends, new QueryOptions { AsOf = TableVersion.AsOf(first.CommittedAt) })).Should().Be(300);
        (await CountAsync(backends, new QueryOptions { AsOf = TableVersion.AsOf(first.CommittedAt.AddMilliseconds(-1)) })).Should().Be(0, "the table had no snapshot then");
        (await CountAsync(backends, new QueryOptions())).Should().Be(550);
        var unknown = () => CountAsync(backends, new QueryOptions { AsOf = TableVersion.OfSnapshot(42) });
        (await unknown.Should().ThrowAsync<QueryException>()).Which.Message.Should().Be("No dataset's table has snapshot 42; ingest snapshots <dataset> lists a table's snapshots.");

        var rollback = await TableSnapshots.RollbackAsync(registered, backends.Lake, backends.IcebergCatalog!, backends.Ledger, second.SnapshotId);

        rollback.PreviousSnapshotId.Should().Be(latest.SnapshotId);
        rollback.RunsRolledBack.Select(r => r.RunId).Should().Equal(third);
        (await CountAsync(backends, new QueryOptions())).Should().Be(500, "readers see the snapshot rolled back to");
        var icebird = await IcebirdAsync(TablePath("sales", "orders"), Path.GetFileName(rollback.MetadataLocation), "amount");
        icebird.GetProperty("rows").GetInt64().Should().Be(500, "an independent reader of the new metadata version agrees");
        var after = await TableSnapshots.ListAsync(registered, backends.Lake, backends.IcebergCatalog!);
        after.Should().HaveCount(3, "the history keeps every snapshot");
        after.Single(s => s.IsCurrent).SnapshotId.Should().Be(second.SnapshotId);
        after.Single(s => s.IsRolledBack).SnapshotId.Should().Be(latest.SnapshotId);
        (await CountAsync(backends, new QueryOptions { AsOf = TableVersion.OfSnapshot(latest.SnapshotId) })).Should().Be(550, "a rolled-back snapshot stays readable by id");

        // The rolled-back run's input is not in the table any more: it is ingested again, once.
        var again = await new IngestPipelineBuilder(backends).ForDataset(registered.Dataset).Build().RunAsync([IngestInput.FromFile(c)]);
        again.Run.RowsWritten.Should().Be(50);
        (await CountAsync(backends, new QueryOptions())).Should().Be(550);
        var thrice = await new IngestPipelineBuilder(backends).ForDataset(registered.Dataset).Build().RunAsync([IngestInput.FromFile(c)]);
        thrice.IsNoOp.Should().BeTrue("a current snapshot holds the input again");
        (await CountAsync(backends, new QueryOptions())).Should().Be(550);
    }

    private static async Task<long> CountAsync(IngestBackends backends, QueryOptions options)
    {
        await using var result = await backends.Query!.QueryAsync("SELECT count(*) FROM sales.orders", options);
        await foreach (var row in result.ReadRowsAsync())
        {
            return Convert.ToInt64(row[0], CultureInfo.InvariantCulture);
        }

        throw new InvalidOperationException("no row");
    }

    private static DatasetDefinition Orders(string mode) => DatasetDefinitionSerializer.Deserialize($$"""
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
          "write": { "mode": "{{mode}}" }
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

    private static async Task<string> RunAsync(IngestBackends backends, string csv)
    {
        var pipeline = new IngestPipelineBuilder(backends).ForDataset(DatasetId.Parse("sales.orders")).Build();
        var result = await pipeline.RunAsync([IngestInput.FromFile(csv)]);
        result.Run.RowsRejected.Should().Be(0);
        return result.Run.RunId;
    }

    private string TablePath(string domain, string name) => Path.Combine(_root.Path, "lake", "curated", domain, name);

    private string[] MetadataFiles(string domain, string name)
        => [.. Directory.GetFiles(Path.Combine(TablePath(domain, name), "metadata"), "*.metadata.json").Order(StringComparer.Ordinal)];

    private static async Task<object?[]> QueryAsync(IngestBackends backends, string sql)
    {
        await using var result = await backends.Query!.QueryAsync(sql);
        await foreach (var row in result.ReadRowsAsync())
        {
            return [.. row];
        }

        throw new InvalidOperationException("no row");
    }

    private static (string Schema, List<GenericRecord> Records) ReadAvro(string path)
    {
        using var reader = DataFileReader<GenericRecord>.OpenReader(path);
        return (reader.GetMetaString("avro.schema"), [.. reader.NextEntries]);
    }

    /// <summary>Every field name in an Avro schema with its <c>field-id</c>, at any depth.</summary>
    private static Dictionary<string, int> FieldIds(string schema)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    if (obj["name"] is JsonValue name && obj["field-id"] is JsonValue id)
                    {
                        result.TryAdd((string)name!, (int)id!);
                    }

                    foreach (var (_, child) in obj)
                    {
                        Walk(child);
                    }

                    break;
                case JsonArray array:
                    foreach (var child in array)
                    {
                        Walk(child);
                    }

                    break;
            }
        }

        Walk(JsonNode.Parse(schema));
        return result;
    }
}
