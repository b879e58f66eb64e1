using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ingest.Tables.Iceberg;

/// <summary>A snapshot: the table's state after one commit.</summary>
internal sealed record IcebergSnapshot(long SnapshotId, long? ParentSnapshotId, long SequenceNumber, long TimestampMs, string ManifestList, IReadOnlyDictionary<string, string> Summary, int SchemaId)
{
    public string Operation => Summary.GetValueOrDefault("operation") ?? "append";
}

/// <summary>
/// Iceberg table metadata, format version 2: what one <c>*.metadata.json</c> file holds. Immutable; a commit writes a new
/// file and swaps the catalog's pointer to it. <see cref="ToJson"/> writes every field the v2 spec requires;
/// <see cref="Parse"/> reads files of other writers too (unknown fields are ignored).
/// </summary>
internal sealed record IcebergTableMetadata
{
    public required string TableUuid { get; init; }

    public required string Location { get; init; }

    public long LastSequenceNumber { get; init; }

    public long LastUpdatedMs { get; init; }

    public int LastColumnId { get; init; }

    public required IReadOnlyList<IcebergSchema> Schemas { get; init; }

    public int CurrentSchemaId { get; init; }

    public required IReadOnlyList<IcebergPartitionSpec> PartitionSpecs { get; init; }

    public int DefaultSpecId { get; init; }

    public int LastPartitionId { get; init; }

    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    public long? CurrentSnapshotId { get; init; }

    public IReadOnlyList<IcebergSnapshot> Snapshots { get; init; } = [];

    public IReadOnlyList<(long TimestampMs, long SnapshotId)> SnapshotLog { get; init; } = [];

    public IReadOnlyList<(long TimestampMs, string MetadataFile)> MetadataLog { get; init; } = [];

    public IcebergSchema CurrentSchema => Schemas.First(s => s.SchemaId == CurrentSchemaId);

    public IcebergPartitionSpec DefaultSpec => PartitionSpecs.First(s => s.SpecId == DefaultSpecId);

    public IcebergSnapshot? CurrentSnapshot => CurrentSnapshotId is { } id ? Snapshot(id) : null;

    public IcebergSnapshot? Snapshot(long id) => Snapshots.FirstOrDefault(s => s.SnapshotId == id);

    /// <summary>The metadata of a new table without snapshots.</summary>
    public static IcebergTableMetadata Create(string location, IcebergSchema schema, IcebergPartitionSpec spec, IReadOnlyDictionary<string, string> properties, long nowMs) => new()
    {
        TableUuid = Guid.NewGuid().ToString(),
        Location = location,
        LastUpdatedMs = nowMs,
        LastColumnId = schema.Fields.Count == 0 ? 0 : schema.Fields.Max(f => f.Id),
        Schemas = [schema],
        CurrentSchemaId = schema.SchemaId,
        PartitionSpecs = [spec],
        DefaultSpecId = spec.SpecId,
        LastPartitionId = spec.Fields.Count == 0 ? 999 : spec.Fields.Max(f => f.FieldId),
        Properties = properties,
    };

    /// <summary>Returns the metadata with <paramref name="schema"/> current (added when new).</summary>
    public IcebergTableMetadata WithSchema(IcebergSchema schema)
    {
        if (Schemas.Any(s => s.SchemaId == schema.SchemaId))
        {
            return this with { CurrentSchemaId = schema.SchemaId };
        }

        return this with
        {
            Schemas = [.. Schemas, schema],
            CurrentSchemaId = schema.SchemaId,
            LastColumnId = Math.Max(LastColumnId, schema.Fields.Max(f => f.Id)),
        };
    }

    public string ToJson()
    {
        var root = new JsonObject
        {
            ["format-version"] = 2,
            ["table-uuid"] = TableUuid,
            ["location"] = Location,
            ["last-sequence-number"] = LastSequenceNumber,
            ["last-updated-ms"] = LastUpdatedMs,
            ["last-column-id"] = LastColumnId,
            ["current-schema-id"] = CurrentSchemaId,
            ["schemas"] = new JsonArray([.. Schemas.Select(s => (JsonNode)SchemaJson(s))]),
            ["default-spec-id"] = DefaultSpecId,
            ["partition-specs"] = new JsonArray([.. PartitionSpecs.Select(s => (JsonNode)SpecJson(s))]),
            ["last-partition-id"] = LastPartitionId,
            ["default-sort-order-id"] = 0,
            ["sort-orders"] = new JsonArray(new JsonObject { ["order-id"] = 0, ["fields"] = new JsonArray() }),
            ["properties"] = StringMap(Properties),
            ["current-snapshot-id"] = CurrentSnapshotId ?? -1,
            ["refs"] = CurrentSnapshotId is { } current
                ? new JsonObject { ["main"] = new JsonObject { ["snapshot-id"] = current, ["type"] = "branch" } }
                : new JsonObject(),
            ["snapshots"] = new JsonArray([.. Snapshots.Select(s => (JsonNode)SnapshotJson(s))]),
            ["statistics"] = new JsonArray(),
            ["partition-statistics"] = new JsonArray(),
            ["snapshot-log"] = new JsonArray([.. SnapshotLog.Select(e => (JsonNode)new JsonObject { ["timestamp-ms"] = e.TimestampMs, ["snapshot-id"] = e.SnapshotId })]),
            ["metadata-log"] = new JsonArray([.. MetadataLog.Select(e => (JsonNode)new JsonObject { ["timestamp-ms"] = e.TimestampMs, ["metadata-file"] = e.MetadataFile })]),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static JsonObject SchemaJson(IcebergSchema schema) => new()
    {
        ["type"] = "struct",
        ["schema-id"] = schema.SchemaId,
        ["fields"] = new JsonArray([.. schema.Fields.Select(f =>
        {
            var field = new JsonObject { ["id"] = f.Id, ["name"] = f.Name, ["required"] = f.Required, ["type"] = f.Type.Name };
            if (f.Doc is not null)
            {
                field["doc"] = f.Doc;
            }

            return (JsonNode)field;
        })]),
    };

    public static JsonArray SpecFieldsJson(IcebergPartitionSpec spec)
        => new([.. spec.Fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["transform"] = f.Transform, ["source-id"] = f.SourceId, ["field-id"] = f.FieldId })]);

    private static JsonObject SpecJson(IcebergPartitionSpec spec) => new() { ["spec-id"] = spec.SpecId, ["fields"] = SpecFieldsJson(spec) };

    private static JsonObject SnapshotJson(IcebergSnapshot s)
    {
        var json = new JsonObject
        {
            ["snapshot-id"] = s.SnapshotId,
            ["sequence-number"] = s.SequenceNumber,
            ["timestamp-ms"] = s.TimestampMs,
            ["manifest-list"] = s.ManifestList,
            ["summary"] = StringMap(s.Summary),
            ["schema-id"] = s.SchemaId,
        };
        if (s.ParentSnapshotId is { } parent)
        {
            json["parent-snapshot-id"] = parent;
        }

        return json;
    }

    private static JsonObject StringMap(IReadOnlyDictionary<string, string> map)
        => new([.. map.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value))]);

    public static IcebergTableMetadata Parse(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new IngestException("An Iceberg metadata file is not a JSON object.");
        if ((int?)root["format-version"] is not (1 or 2))
        {
            throw new IngestException($"Iceberg format version {root["format-version"]} is not supported (1 and 2 are).");
        }

        var schemas = root["schemas"] is JsonArray list ? [.. list.Select(s => ParseSchema(s!))] : new List<IcebergSchema> { ParseSchema(root["schema"]!) };
        var specs = root["partition-specs"] is JsonArray specList
            ? [.. specList.Select(s => new IcebergPartitionSpec((int)s!["spec-id"]!, ParseSpecFields(s["fields"]!.AsArray())))]
            : new List<IcebergPartitionSpec> { new(0, ParseSpecFields(root["partition-spec"]!.AsArray())) };
        var current = (long?)root["current-snapshot-id"];
        return new IcebergTableMetadata
        {
            TableUuid = (string?)root["table-uuid"] ?? string.Empty,
            Location = (string)root["location"]!,
            LastSequenceNumber = (long?)root["last-sequence-number"] ?? 0,
            LastUpdatedMs = (long?)root["last-updated-ms"] ?? 0,
            LastColumnId = (int?)root["last-column-id"] ?? 0,
            Schemas = schemas,
            CurrentSchemaId = (int?)root["current-schema-id"] ?? schemas[0].SchemaId,
            PartitionSpecs = specs,
            DefaultSpecId = (int?)root["default-spec-id"] ?? 0,
            LastPartitionId = (int?)root["last-partition-id"] ?? 999,
            Properties = ParseMap(root["properties"]),
            CurrentSnapshotId = current is null or -1 ? null : current,
            Snapshots = root["snapshots"] is JsonArray snaps ? [.. snaps.Select(s => new IcebergSnapshot(
                (long)s!["snapshot-id"]!,
                (long?)s["parent-snapshot-id"],
                (long?)s["sequence-number"] ?? 0,
                (long)s["timestamp-ms"]!,
                (string)s["manifest-list"]!,
                ParseMap(s["summary"]),
                (int?)s["schema-id"] ?? 0))] : [],
            SnapshotLog = root["snapshot-log"] is JsonArray log ? [.. log.Select(e => ((long)e!["timestamp-ms"]!, (long)e["snapshot-id"]!))] : [],
            MetadataLog = root["metadata-log"] is JsonArray mlog ? [.. mlog.Select(e => ((long)e!["timestamp-ms"]!, (string)e["metadata-file"]!))] : [],
        };
    }

    private static IcebergSchema ParseSchema(JsonNode node) => new(
        (int?)node["schema-id"] ?? 0,
        [.. node["fields"]!.AsArray().Select(f => new IcebergField((int)f!["id"]!, (string)f["name"]!, (bool?)f["required"] ?? false, new IcebergType(f["type"] is JsonValue v ? (string)v! : "nested"), (string?)f["doc"]))]);

    private static List<IcebergPartitionField> ParseSpecFields(JsonArray fields)
        => [.. fields.Select(f => new IcebergPartitionField((int)f!["source-id"]!, (int?)f["field-id"] ?? 1000, (string)f["name"]!, (string)f["transform"]!))];

    private static Dictionary<string, string> ParseMap(JsonNode? node)
        => node is JsonObject map ? map.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty, StringComparer.Ordinal) : [];
}
