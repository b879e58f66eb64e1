using System.Text.Json.Nodes;
using Ingest.Aws.Glue;
using Ingest.Aws.Protocol;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Aws.Tests.Protocol;
using Ingest.Definitions;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest.Aws.Tests.Glue;

/// <summary>
/// The Glue catalog against the loopback server with canned answers in the official shapes: these tests check the requests
/// built and the answers parsed, not Glue's behaviour. Every request is also checked against the Glue API model.
/// </summary>
public sealed class GlueCatalogTests() : ModelCheckedServer("glue-2017-03-31")
{
    [Theory]
    [InlineData("string", "string")]
    [InlineData("boolean", "boolean")]
    [InlineData("int32", "int")]
    [InlineData("int64", "bigint")]
    [InlineData("float", "float")]
    [InlineData("double", "double")]
    [InlineData("decimal(18,2)", "decimal(18,2)")]
    [InlineData("decimal(28,0)", "decimal(28,0)")]
    [InlineData("decimal(1,1)", "decimal(1,1)")]
    [InlineData("date", "date")]
    [InlineData("timestamp", "timestamp")]
    public void HiveType_EachColumnType_IsGlueName(string type, string expected)
        => GlueTables.HiveType(ColumnType.Parse(type)).Should().Be(expected);

    [Fact]
    public async Task EnsureTable_NewDataset_CreatesDatabaseAndParquetTable()
    {
        Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["GetDatabase"] = _ => CannedResponse.Error(400, "EntityNotFoundException", "Database sales not found."),
            ["CreateDatabase"] = _ => CannedResponse.Ok(),
            ["GetTable"] = _ => CannedResponse.Error(400, "EntityNotFoundException", "Table not found."),
            ["CreateTable"] = _ => CannedResponse.Ok(),
        });

        await Catalog().EnsureTableAsync(Orders());

        Server.Received("CreateDatabase").Single().Json["DatabaseInput"]!["Name"]!.GetValue<string>().Should().Be("sales");
        var create = Server.Received("CreateTable").Single().Json;
        create["DatabaseName"]!.GetValue<string>().Should().Be("sales");
        var table = create["TableInput"]!;
        table["Name"]!.GetValue<string>().Should().Be("orders");
        table["TableType"]!.GetValue<string>().Should().Be("EXTERNAL_TABLE");
        table["Description"]!.GetValue<string>().Should().Be("Orders of the shop.");
        table["Parameters"]!["classification"]!.GetValue<string>().Should().Be("parquet");
        table["Parameters"]!["ingest.definition_version"]!.GetValue<string>().Should().Be("3");
        var storage = table["StorageDescriptor"]!;
        storage["Location"]!.GetValue<string>().Should().Be("s3://lake/curated/sales/orders/");
        storage["SerdeInfo"]!["SerializationLibrary"]!.GetValue<string>().Should().Be(GlueTables.ParquetSerDe);
        storage["InputFormat"]!.GetValue<string>().Should().Be(GlueTables.ParquetInputFormat);
        Columns(storage["Columns"]).Should().Equal(
            "order_id:bigint:The order.", "amount:decimal(18,2):", "country:string:", "ordered_at:timestamp:",
            "_ingest_run_id:string:The run that wrote the row.", "_source_file:string:The input file the row came from.",
            "_source_line:bigint:The 1-based line (or row number) of the row in its input.", "_ingested_at:timestamp:When the run started.");
        Columns(table["PartitionKeys"]).Should().Equal("ordered_at_day:date:day(ordered_at)");
        table["Parameters"]!.AsObject().Select(p => p.Key).Should().NotContain(k => k.StartsWith("projection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureTable_ConcurrentChange_RereadsAndUpdatesWithNewVersionId()
    {
        var reads = 0;
        var updates = 0;
        Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["GetDatabase"] = _ => CannedResponse.Ok(Canned.GetDatabase),
            ["GetTable"] = _ => CannedResponse.Ok(TableAt(version: 2, versionId: (++reads).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            ["UpdateTable"] = _ => ++updates == 1
                ? CannedResponse.Error(400, "ConcurrentModificationException", "Table version mismatch.")
                : CannedResponse.Ok(),
        });

        await Catalog().EnsureTableAsync(Orders());

        Server.Received("UpdateTable").Select(r => r.Json["VersionId"]!.GetValue<string>()).Should().Equal("1", "2");
    }

    [Fact]
    public async Task EnsureTable_TableHoldsNewerVersion_IsLeftAlone()
    {
        Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["GetDatabase"] = _ => CannedResponse.Ok(Canned.GetDatabase),
            ["GetTable"] = _ => CannedResponse.Ok(TableAt(version: 4, versionId: "9")),
        });

        await Catalog().EnsureTableAsync(Orders());

        Server.Received("UpdateTable").Should().BeEmpty("a writer of version 3 must not undo version 4's columns");
    }

    [Fact]
    public async Task EnsureTable_KeepsConflicting_ThrowsConcurrencyConflict()
    {
        Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["GetDatabase"] = _ => CannedResponse.Ok(Canned.GetDatabase),
            ["GetTable"] = _ => CannedResponse.Ok(TableAt(version: 2, versionId: "1")),
            ["UpdateTable"] = _ => CannedResponse.Error(400, "ConcurrentModificationException"),
        });

        var act = () => Catalog().EnsureTableAsync(Orders());

        (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which.IsTransient.Should().BeTrue();
    }

    [Fact]
    public void Build_Projection_AddsPropertiesPerTransform()
    {
        var definition = Orders().Definition with
        {
            Catalog = new CatalogSettings { PartitionStrategy = PartitionStrategy.Projection },
            Partitioning =
            [
                new PartitionField { Transform = PartitionTransform.IngestDate },
                new PartitionField { Column = "ordered_at", Transform = PartitionTransform.Month },
                new PartitionField { Column = "ordered_at", Transform = PartitionTransform.Year },
                new PartitionField { Column = "country" },
            ],
        };

        var table = GlueTables.Build(new RegisteredDefinition(definition, 1, DateTimeOffset.UnixEpoch, "fp"), "s3://lake/curated/sales/orders/");

        table.Parameters.Should().Contain(new Dictionary<string, string>
        {
            ["projection.enabled"] = "true",
            ["projection.ingest_date.type"] = "date",
            ["projection.ingest_date.format"] = "yyyy-MM-dd",
            ["projection.ingest_date.range"] = "2000-01-01,NOW",
            ["projection.ingest_date.interval.unit"] = "DAYS",
            ["projection.ordered_at_month.type"] = "date",
            ["projection.ordered_at_month.format"] = "yyyy-MM",
            ["projection.ordered_at_year.type"] = "integer",
            ["projection.country.type"] = "injected",
            ["storage.location.template"] = "s3://lake/curated/sales/orders/ingest_date=${ingest_date}/ordered_at_month=${ordered_at_month}/ordered_at_year=${ordered_at_year}/country=${country}/",
        });
        table.PartitionKeys.Select(k => $"{k.Name}:{k.Type}").Should().Equal("ingest_date:date", "ordered_at_month:string", "ordered_at_year:int", "country:string");
        table.StorageDescriptor.Columns.Select(c => c.Name).Should().NotContain("country", "identity partition columns live in folder names");
    }

    [Fact]
    public async Task AddPartitions_250_ThreeBatchesAndExistingCountAsSuccess()
    {
        Server.Respond(new Dictionary<string, Func<RecordedRequest, CannedResponse>>
        {
            ["BatchCreatePartition"] = r => CannedResponse.Ok(new JsonObject
            {
                ["Errors"] = new JsonArray(new JsonObject
                {
                    ["PartitionValues"] = r.Json["PartitionInputList"]![0]!["Values"]!.DeepClone(),
                    ["ErrorDetail"] = new JsonObject { ["ErrorCode"] = "AlreadyExistsException", ["ErrorMessage"] = "exists" },
                }),
            }),
        });
        var partitions = Enumerable.Range(0, 250).Select(i => $"ordered_at_day={new DateOnly(2024, 1, 1).AddDays(i):yyyy-MM-dd}/").ToList();

        await Catalog().AddPartitionsAsync(Orders(), partitions);

        var batches = Server.Received("BatchCreatePartition");
        batches.Select(b => b.Json["PartitionInputList"]!.AsArray().Count).Should().Equal(100, 100, 50);
        var first = batches[0].Json;
        first["DatabaseName"]!.GetValue<string>().Should().Be("sales");
        first["TableName"]!.GetValue<string>().Should().Be("orders");
        var partition = first["PartitionInputList"]![0]!;
        partition["Values"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("2024-01-01");
        partition["StorageDescriptor"]!["Location"]!.GetValue<string>().Should().Be("s3://lake/curated/sales/orders/ordered_at_day=2024-01-01/");
    }

    [Fact]
    public async Task AddPartitions_OtherError_Throws()
    {
        Server.Respond(_ => CannedResponse.Ok("""{"Errors":[{"PartitionValues":["2024-01-01"],"ErrorDetail":{"ErrorCode":"InvalidInputException","ErrorMessage":"bad location"}}]}"""));

        var act = () => Catalog().AddPartitionsAsync(Orders(), ["ordered_at_day=2024-01-01"]);

        (await act.Should().ThrowAsync<IngestException>()).Which.Message.Should().Contain("InvalidInputException: bad location");
    }

    [Fact]
    public async Task AddPartitions_Projection_SendsNothing()
    {
        var projected = Orders() with { Definition = Orders().Definition with { Catalog = new CatalogSettings { PartitionStrategy = PartitionStrategy.Projection } } };

        await Catalog().AddPartitionsAsync(projected, ["ordered_at_day=2024-01-01"]);

        Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Build_EverySampleDefinition_ConformsToModel()
    {
        var files = Directory.GetFiles(Path.Combine(AwsServers.RepositoryRoot, "docs", "examples"), "*.json")
            .Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal))
            .ToList();
        files.Should().NotBeEmpty();
        foreach (var file in files)
        {
            var definition = await DatasetDefinitionSerializer.ReadFileAsync(file);
            var table = GlueTables.Build(new RegisteredDefinition(definition, 1, DateTimeOffset.UnixEpoch, "fp"), "s3://lake/curated/" + DatasetLayout.DatasetPrefix(definition.Id));
            await new GlueClient(Server.Client(AwsJsonService.Glue)).CreateTableAsync(definition.CatalogDatabase, table);
        }

        Server.Received("CreateTable").Should().HaveCount(files.Count);
    }

    private GlueCatalog Catalog() => new(new GlueClient(Server.Client(AwsJsonService.Glue)), new S3AddressLake());

    private static RegisteredDefinition Orders() => new(
        new DatasetDefinition
        {
            Id = DatasetId.Parse("sales.orders"),
            Description = "Orders of the shop.",
            Source = new SourceDefinition { Format = SourceFormat.Csv },
            Columns =
            [
                new ColumnDefinition { Name = "order_id", Type = ColumnType.Int64, Nullable = false, Description = "The order." },
                new ColumnDefinition { Name = "amount", Type = ColumnType.Decimal(18, 2) },
                new ColumnDefinition { Name = "country", Type = ColumnType.String },
                new ColumnDefinition { Name = "ordered_at", Type = ColumnType.Timestamp },
            ],
            Partitioning = [new PartitionField { Column = "ordered_at", Transform = PartitionTransform.Day }],
        },
        3,
        DateTimeOffset.UnixEpoch,
        "fingerprint");

    private static string TableAt(int version, string versionId)
        => ((JsonObject)JsonNode.Parse(Canned.GetTable)!).Let(t =>
        {
            t["Table"]!["VersionId"] = versionId;
            t["Table"]!["Parameters"]!["ingest.definition_version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }).ToJsonString();

    private static List<string> Columns(JsonNode? columns)
        => [.. columns!.AsArray().Select(c => $"{c!["Name"]}:{c["Type"]}:{c["Comment"]}")];

    /// <summary>A lake that only gives addresses, like S3's.</summary>
    private sealed class S3AddressLake : ILakeStorage
    {
        public string GetAddress(LakeZone zone, string key) => $"s3://lake/{zone.Name}/{key}";

        public Task<ILakeObjectWriter> OpenWriteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Stream> OpenReadAsync(LakeZone zone, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<LakeObject?> GetAsync(LakeZone zone, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<LakeObject> ListAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task DeleteAsync(LakeZone zone, string key, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task PromoteAsync(LakeZone zone, string sourceKey, string destinationKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<int> AbortIncompleteWritesAsync(LakeZone zone, string prefix, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}

internal static class JsonTestExtensions
{
    public static T Let<T>(this T value, Action<T> change)
    {
        change(value);
        return value;
    }
}
