using System.IO.Compression;
using System.Security.Cryptography;
using Avro;
using Avro.Generic;
using Avro.IO;

namespace Ingest.Tables.Iceberg;

/// <summary>
/// Writes Avro object container files with exactly the schema text given: Apache.Avro's own writer re-renders the schema
/// and drops the <c>"logicalType": "map"</c> annotations Iceberg puts on arrays of key/value records, which Iceberg
/// readers use to tell maps from lists. The records are encoded by Apache.Avro's <see cref="GenericDatumWriter{T}"/>;
/// one deflate block. Read the files with Apache.Avro's <c>DataFileReader</c>.
/// </summary>
internal static class AvroContainer
{
    private static readonly byte[] Magic = [(byte)'O', (byte)'b', (byte)'j', 1];

    public static byte[] Write(string schemaJson, IReadOnlyDictionary<string, string> metadata, Func<RecordSchema, IEnumerable<GenericRecord>> records)
    {
        var schema = (RecordSchema)Schema.Parse(schemaJson);
        var writer = new GenericDatumWriter<GenericRecord>(schema);
        using var block = new MemoryStream();
        long count = 0;
        var encoder = new BinaryEncoder(block);
        foreach (var record in records(schema))
        {
            writer.Write(record, encoder);
            count++;
        }

        encoder.Flush();
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(block.GetBuffer(), 0, (int)block.Length);
        }

        using var output = new MemoryStream();
        var sync = RandomNumberGenerator.GetBytes(16);
        var header = new BinaryEncoder(output);
        output.Write(Magic);
        var meta = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["avro.schema"] = System.Text.Encoding.UTF8.GetBytes(schemaJson),
            ["avro.codec"] = "deflate"u8.ToArray(),
        };
        foreach (var (key, value) in metadata)
        {
            meta[key] = System.Text.Encoding.UTF8.GetBytes(value);
        }

        header.WriteMapStart();
        header.SetItemCount(meta.Count);
        foreach (var (key, value) in meta)
        {
            header.StartItem();
            header.WriteString(key);
            header.WriteBytes(value);
        }

        header.WriteMapEnd();
        header.WriteFixed(sync);
        if (count > 0)
        {
            header.WriteLong(count);
            header.WriteLong(compressed.Length);
            header.WriteFixed(compressed.ToArray());
            header.WriteFixed(sync);
        }

        header.Flush();
        return output.ToArray();
    }
}
