namespace Ingest.Storage;

/// <summary>
/// A zone of the lake. An extensible vocabulary: the three well-known zones are
/// <see cref="Raw"/>, <see cref="Curated"/> and <see cref="Quarantine"/>.
/// </summary>
/// <param name="Name">The zone name, a lower-case identifier (the folder or bucket suffix).</param>
public readonly record struct LakeZone(string Name)
{
    /// <summary>What arrived, byte for byte, keyed by content hash.</summary>
    public static LakeZone Raw { get; } = new("raw");

    /// <summary>Typed, validated Parquet with lineage columns, in Hive-style partitions.</summary>
    public static LakeZone Curated { get; } = new("curated");

    /// <summary>Rejected rows: the original values as text, the reason and the line.</summary>
    public static LakeZone Quarantine { get; } = new("quarantine");

    /// <summary>The three well-known zones.</summary>
    public static IReadOnlyList<LakeZone> All { get; } = [Raw, Curated, Quarantine];

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>An object in a zone of the lake.</summary>
/// <param name="Zone">The zone.</param>
/// <param name="Key">The object key, '/'-separated, relative to the zone.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="LastModified">When the object was last written.</param>
public sealed record LakeObject(LakeZone Zone, string Key, long Size, DateTimeOffset LastModified);
