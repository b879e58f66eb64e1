using System.Globalization;

using System.Text.Json.Nodes;
using Avro;
using Avro.File;
using Avro.Generic;

namespace Ingest.Tables.Iceberg;

/// <summary>
/// Manifests and manifest lists: Avro object container files with the spec's schemas (v2) and field ids, the manifest's
/// key-value metadata (<c>schema</c>, <c>schema-id</c>, <c>partition-spec</c>, <c>partition-spec-id</c>,
/// <c>format-version</c>, <c>content</c>) and the manifest list's (<c>snapshot-id</c>, <c>parent-snapshot-id</c>,
/// <c>sequence-number</c>, <c>format-version</c>).
/// </summary>
internal static class IcebergManifests
{
    /// <summary>Writes a data manifest and returns its bytes with its manifest list entry (the path and length filled by the caller's values).</summary>
    public static (byte[] Bytes, IcebergManifestFile Entry) WriteManifest(
        string path,
        IcebergSchema schema,
        IcebergPartitionSpec spec,
        long snapshotId,
        long sequenceNumber,
        IReadOnlyList<IcebergManifestEntry> entries)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["schema"] = IcebergTableMetadata.SchemaJson(schema).ToJsonString(),
            ["schema-id"] = schema.SchemaId.ToString(CultureInfo.InvariantCulture),
            ["partition-spec"] = IcebergTableMetadata.SpecFieldsJson(spec).ToJsonString(),
            ["partition-spec-id"] = spec.SpecId.ToString(CultureInfo.InvariantCulture),
            ["format-version"] = "2",
            ["content"] = "data",
        };
        var partitionTypes = spec.Fields.Select(f => f.ResultType(schema)).ToArray();
        var bytes = AvroContainer.Write(ManifestEntrySchema(spec, schema), metadata, avro => entries.Select(e => EntryRecord(avro, e)));

        var live = entries.Where(e => e.Status != 2).ToList();
        var partitions = new List<(bool, byte[]?, byte[]?)>();
        for (var i = 0; i < spec.Fields.Count; i++)
        {
            var values = live.Select(e => e.File.Partition[i]).ToList();
            var present = values.Where(v => v is not null).Select(v => (IComparable)v!).ToList();
            partitions.Add((
                values.Any(v => v is null),
                present.Count == 0 ? null : IcebergValues.ToBinary(partitionTypes[i], present.Min()!),
                present.Count == 0 ? null : IcebergValues.ToBinary(partitionTypes[i], present.Max()!)));
        }

        var sequences = entries.Select(e => e.SequenceNumber ?? sequenceNumber).DefaultIfEmpty(sequenceNumber);
        return (bytes, new IcebergManifestFile
        {
            ManifestPath = path,
            ManifestLength = bytes.Length,
            PartitionSpecId = spec.SpecId,
            SequenceNumber = sequenceNumber,
            MinSequenceNumber = sequences.Min(),
            AddedSnapshotId = snapshotId,
            AddedFilesCount = entries.Count(e => e.Status == 1),
            ExistingFilesCount = entries.Count(e => e.Status == 0),
            DeletedFilesCount = entries.Count(e => e.Status == 2),
            AddedRowsCount = entries.Where(e => e.Status == 1).Sum(e => e.File.RecordCount),
            ExistingRowsCount = entries.Where(e => e.Status == 0).Sum(e => e.File.RecordCount),
            DeletedRowsCount = entries.Where(e => e.Status == 2).Sum(e => e.File.RecordCount),
            Partitions = partitions,
        });
    }

    /// <summary>Reads a manifest's entries; sequence numbers and snapshot ids left null (inherited) take the manifest list entry's.</summary>
    public static List<IcebergManifestEntry> ReadManifest(Stream stream, IcebergManifestFile manifest, IcebergSchema schema, IcebergPartitionSpec spec)
    {
        using var reader = DataFileReader<GenericRecord>.OpenReader(stream, leaveOpen: true);
        var result = new List<IcebergManifestEntry>();
        foreach (var record in reader.NextEntries)
        {
            var status = (int)record["status"];
            var data = (GenericRecord)record["data_file"];
            var partition = (GenericRecord)data["partition"];
            var values = spec.Fields.Select(f => partition.TryGetValue(f.Name, out var v) ? v : null).ToList();
            var inherited = status == 1;
            result.Add(new IcebergManifestEntry(
                status,
                (long?)Get(record, "snapshot_id") ?? (inherited ? manifest.AddedSnapshotId : null),
                (long?)Get(record, "sequence_number") ?? (inherited ? manifest.SequenceNumber : null),
                (long?)Get(record, "file_sequence_number") ?? (inherited ? manifest.SequenceNumber : null),
                new IcebergDataFile
                {
                    FilePath = (string)data["file_path"],
                    FileFormat = (string)data["file_format"],
                    RecordCount = (long)data["record_count"],
                    FileSizeInBytes = (long)data["file_size_in_bytes"],
                    Partition = values,
                    ColumnSizes = LongMap(Get(data, "column_sizes")),
                    ValueCounts = LongMap(Get(data, "value_counts")),
                    NullValueCounts = LongMap(Get(data, "null_value_counts")),
                    LowerBounds = BytesMap(Get(data, "lower_bounds")),
                    UpperBounds = BytesMap(Get(data, "upper_bounds")),
                }));
        }

        return result;
    }

    public static byte[] WriteManifestList(long snapshotId, long? parentSnapshotId, long sequenceNumber, IReadOnlyList<IcebergManifestFile> manifests)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["snapshot-id"] = snapshotId.ToString(CultureInfo.InvariantCulture),
            ["parent-snapshot-id"] = parentSnapshotId?.ToString(CultureInfo.InvariantCulture) ?? "null",
            ["sequence-number"] = sequenceNumber.ToString(CultureInfo.InvariantCulture),
            ["format-version"] = "2",
        };
        return AvroContainer.Write(ManifestFileSchema, metadata, avro => manifests.Select(m => ManifestFileRecord(avro, m)));
    }

    public static List<IcebergManifestFile> ReadManifestList(Stream stream)
    {
        using var reader = DataFileReader<GenericRecord>.OpenReader(stream, leaveOpen: true);
        var result = new List<IcebergManifestFile>();
        foreach (var r in reader.NextEntries)
        {
            var partitions = Get(r, "partitions") is object[] summaries
                ? summaries.Cast<GenericRecord>().Select(s => ((bool)s["contains_null"], (byte[]?)Get(s, "lower_bound"), (byte[]?)Get(s, "upper_bound"))).ToList()
                : [];
            result.Add(new IcebergManifestFile
            {
                ManifestPath = (string)r["manifest_path"],
                ManifestLength = (long)r["manifest_length"],
                PartitionSpecId = (int)r["partition_spec_id"],
                SequenceNumber = (long?)Get(r, "sequence_number") ?? 0,
                MinSequenceNumber = (long?)Get(r, "min_sequence_number") ?? 0,
                AddedSnapshotId = (long)r["added_snapshot_id"],
                AddedFilesCount = (int?)Get(r, "added_files_count") ?? 0,
                ExistingFilesCount = (int?)Get(r, "existing_files_count") ?? 0,
                DeletedFilesCount = (int?)Get(r, "deleted_files_count") ?? 0,
                AddedRowsCount = (long?)Get(r, "added_rows_count") ?? 0,
                ExistingRowsCount = (long?)Get(r, "existing_rows_count") ?? 0,
                DeletedRowsCount = (long?)Get(r, "deleted_rows_count") ?? 0,
                Partitions = partitions,
            });
        }

        return result;
    }

    /// <summary>The Avro schema of <c>manifest_entry</c> for a spec (the partition struct's fields carry the partition field ids).</summary>
    public static string ManifestEntrySchema(IcebergPartitionSpec spec, IcebergSchema schema)
    {
        var partitionFields = new JsonArray([.. spec.Fields.Select(f => (JsonNode)Field(f.Name, Optional(AvroType(f.ResultType(schema), f)), f.FieldId))]);
        var dataFile = new JsonObject
        {
            ["type"] = "record",
            ["name"] = "r2",
            ["fields"] = new JsonArray(
                Field("content", "int", 134),
                Field("file_path", "string", 100),
                Field("file_format", "string", 101),
                Field("partition", new JsonObject { ["type"] = "record", ["name"] = "r102", ["fields"] = partitionFields }, 102),
                Field("record_count", "long", 103),
                Field("file_size_in_bytes", "long", 104),
                Field("column_sizes", Optional(MapOf("long", 117, 118)), 108),
                Field("value_counts", Optional(MapOf("long", 119, 120)), 109),
                Field("null_value_counts", Optional(MapOf("long", 121, 122)), 110),
                Field("nan_value_counts", Optional(MapOf("long", 138, 139)), 137),
                Field("lower_bounds", Optional(MapOf("bytes", 126, 127)), 125),
                Field("upper_bounds", Optional(MapOf("bytes", 129, 130)), 128),
                Field("key_metadata", Optional("bytes"), 131),
                Field("split_offsets", Optional(new JsonObject { ["type"] = "array", ["items"] = "long", ["element-id"] = 133 }), 132),
                Field("equality_ids", Optional(new JsonObject { ["type"] = "array", ["items"] = "int", ["element-id"] = 136 }), 135),
                Field("sort_order_id", Optional("int"), 140)),
        };
        return new JsonObject
        {
            ["type"] = "record",
            ["name"] = "manifest_entry",
            ["fields"] = new JsonArray(
                Field("status", "int", 0),
                Field("snapshot_id", Optional("long"), 1),
                Field("sequence_number", Optional("long"), 3),
                Field("file_sequence_number", Optional("long"), 4),
                Field("data_file", dataFile, 2)),
        }.ToJsonString();
    }

    /// <summary>The Avro schema of <c>manifest_file</c> (manifest list entries).</summary>
    public static readonly string ManifestFileSchema = new JsonObject
    {
        ["type"] = "record",
        ["name"] = "manifest_file",
        ["fields"] = new JsonArray(
            Field("manifest_path", "string", 500),
            Field("manifest_length", "long", 501),
            Field("partition_spec_id", "int", 502),
            Field("content", "int", 517),
            Field("sequence_number", "long", 515),
            Field("min_sequence_number", "long", 516),
            Field("added_snapshot_id", "long", 503),
            Field("added_files_count", "int", 504),
            Field("existing_files_count", "int", 505),
            Field("deleted_files_count", "int", 506),
            Field("added_rows_count", "long", 512),
            Field("existing_rows_count", "long", 513),
            Field("deleted_rows_count", "long", 514),
            Field("partitions", Optional(new JsonObject
            {
                ["type"] = "array",
                ["element-id"] = 508,
                ["items"] = new JsonObject
                {
                    ["type"] = "record",
                    ["name"] = "r508",
                    ["fields"] = new JsonArray(
                        Field("contains_null", "boolean", 509),
                        Field("contains_nan", Optional("boolean"), 518),
                        Field("lower_bound", Optional("bytes"), 510),
                        Field("upper_bound", Optional("bytes"), 511)),
                },
            }), 507),
            Field("key_metadata", Optional("bytes"), 519)),
    }.ToJsonString();

    private static GenericRecord EntryRecord(RecordSchema avro, IcebergManifestEntry entry)
    {
        var record = new GenericRecord(avro);
        record.Add("status", entry.Status);

        // Added entries inherit the snapshot id and sequence numbers from the manifest list (the spec's recommendation).
        var added = entry.Status == 1;
        record.Add("snapshot_id", added ? null : entry.SnapshotId);
        record.Add("sequence_number", added ? null : entry.SequenceNumber);
        record.Add("file_sequence_number", added ? null : entry.FileSequenceNumber);
        var dataSchema = (RecordSchema)avro["data_file"].Schema;
        var file = entry.File;
        var data = new GenericRecord(dataSchema);
        data.Add("content", 0);
        data.Add("file_path", file.FilePath);
        data.Add("file_format", file.FileFormat);
        var partitionSchema = (RecordSchema)dataSchema["partition"].Schema;
        var partition = new GenericRecord(partitionSchema);
        for (var i = 0; i < partitionSchema.Count; i++)
        {
            partition.Add(partitionSchema.Fields[i].Name, file.Partition[i]);
        }

        data.Add("partition", partition);
        data.Add("record_count", file.RecordCount);
        data.Add("file_size_in_bytes", file.FileSizeInBytes);
        data.Add("column_sizes", MapRecords(dataSchema, "column_sizes", file.ColumnSizes));
        data.Add("value_counts", MapRecords(dataSchema, "value_counts", file.ValueCounts));
        data.Add("null_value_counts", MapRecords(dataSchema, "null_value_counts", file.NullValueCounts));
        data.Add("nan_value_counts", null);
        data.Add("lower_bounds", MapRecords(dataSchema, "lower_bounds", file.LowerBounds));
        data.Add("upper_bounds", MapRecords(dataSchema, "upper_bounds", file.UpperBounds));
        data.Add("key_metadata", null);
        data.Add("split_offsets", null);
        data.Add("equality_ids", null);
        data.Add("sort_order_id", 0);
        record.Add("data_file", data);
        return record;
    }

    private static GenericRecord ManifestFileRecord(RecordSchema avro, IcebergManifestFile m)
    {
        var record = new GenericRecord(avro);
        record.Add("manifest_path", m.ManifestPath);
        record.Add("manifest_length", m.ManifestLength);
        record.Add("partition_spec_id", m.PartitionSpecId);
        record.Add("content", 0);
        record.Add("sequence_number", m.SequenceNumber);
        record.Add("min_sequence_number", m.MinSequenceNumber);
        record.Add("added_snapshot_id", m.AddedSnapshotId);
        record.Add("added_files_count", m.AddedFilesCount);
        record.Add("existing_files_count", m.ExistingFilesCount);
        record.Add("deleted_files_count", m.DeletedFilesCount);
        record.Add("added_rows_count", m.AddedRowsCount);
        record.Add("existing_rows_count", m.ExistingRowsCount);
        record.Add("deleted_rows_count", m.DeletedRowsCount);
        var summarySchema = (RecordSchema)((ArraySchema)((UnionSchema)avro["partitions"].Schema).Schemas[1]).ItemSchema;
        record.Add("partitions", m.Partitions.Select(p =>
        {
            var summary = new GenericRecord(summarySchema);
            summary.Add("contains_null", p.ContainsNull);
            summary.Add("contains_nan", null);
            summary.Add("lower_bound", p.Lower);
            summary.Add("upper_bound", p.Upper);
            return (object)summary;
        }).ToArray());
        record.Add("key_metadata", null);
        return record;
    }

    private static object[]? MapRecords<T>(RecordSchema dataSchema, string field, IReadOnlyDictionary<int, T>? map)
    {
        if (map is null)
        {
            return null;
        }

        var item = (RecordSchema)((ArraySchema)((UnionSchema)dataSchema[field].Schema).Schemas[1]).ItemSchema;
        return [.. map.OrderBy(p => p.Key).Select(p =>
        {
            var kv = new GenericRecord(item);
            kv.Add("key", p.Key);
            kv.Add("value", p.Value);
            return (object)kv;
        })];
    }

    private static Dictionary<int, long>? LongMap(object? value)
        => value is object[] items ? items.Cast<GenericRecord>().ToDictionary(r => (int)r["key"], r => (long)r["value"]) : null;

    private static Dictionary<int, byte[]>? BytesMap(object? value)
        => value is object[] items ? items.Cast<GenericRecord>().ToDictionary(r => (int)r["key"], r => (byte[])r["value"]) : null;

    private static object? Get(GenericRecord record, string name) => record.TryGetValue(name, out var value) ? value : null;

    private static JsonNode AvroType(IcebergType type, IcebergPartitionField field) => type.Name switch
    {
        "string" => "string",
        "boolean" => "boolean",
        "int" or "date" => "int",
        "long" or "timestamp" or "timestamptz" => "long",
        "float" => "float",
        "double" => "double",
        _ => throw new NotSupportedException($"Partition field '{field.Name}' of type {type} is not supported in Iceberg manifests written by Ingest (partition by a string, integer, boolean, date or timestamp column)."),
    };

    private static JsonObject Field(string name, JsonNode type, int id)
    {
        var field = new JsonObject { ["name"] = name, ["type"] = type, ["field-id"] = id };
        if (type is JsonArray)
        {
            field["default"] = null;
        }

        return field;
    }

    private static JsonArray Optional(JsonNode type) => new("null", type);

    private static JsonObject MapOf(string valueType, int keyId, int valueId) => new()
    {
        ["type"] = "array",
        ["logicalType"] = "map",
        ["items"] = new JsonObject
        {
            ["type"] = "record",
            ["name"] = $"k{keyId}_v{valueId}",
            ["fields"] = new JsonArray(Field("key", "int", keyId), Field("value", valueType, valueId)),
        },
    };

}
