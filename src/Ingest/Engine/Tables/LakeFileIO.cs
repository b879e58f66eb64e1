using Ingest.Storage;
using Ingest.Tables.Iceberg;

namespace Ingest.Engine.Tables;

/// <summary>
/// Iceberg's file IO over the lake: a table's locations are the lake's addresses of its keys
/// (<see cref="ILakeStorage.GetAddress"/>: a path locally, <c>s3://bucket/key</c> on S3), so a location under the
/// table's location maps back to a key under the dataset's prefix.
/// </summary>
internal sealed class LakeFileIO(ILakeStorage lake, LakeZone zone, string prefix) : IIcebergFileIO
{
    /// <summary>Gets the table's location (no trailing separator).</summary>
    public string Location { get; } = lake.GetAddress(zone, prefix).TrimEnd('/');

    /// <summary>Returns the location of a key under the prefix.</summary>
    public string LocationOf(string key)
    {
        if (!key.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{key}' is not under the table's prefix '{prefix}'.", nameof(key));
        }

        return Location + "/" + key[prefix.Length..];
    }

    /// <summary>Returns the key of a location of this table.</summary>
    public string KeyOf(string location)
    {
        if (!location.StartsWith(Location + "/", StringComparison.Ordinal))
        {
            throw new IngestException($"The Iceberg table at {Location} refers to {location}, which is outside it; Ingest reads only files under the table's location.") { Location = location };
        }

        var key = prefix + location[(Location.Length + 1)..];
        LakeKeys.EnsureValid(key);
        return key;
    }

    public async Task WriteAsync(string location, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var writer = await lake.OpenWriteAsync(zone, KeyOf(location), cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            await writer.Stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<Stream> OpenReadAsync(string location, CancellationToken cancellationToken)
        => lake.OpenReadAsync(zone, KeyOf(location), cancellationToken);
}
