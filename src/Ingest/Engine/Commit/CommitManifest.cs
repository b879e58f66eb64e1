using System.Text.Json;
using System.Text.Json.Serialization;
using Ingest.Ledger;
using Ingest.Storage;

namespace Ingest.Engine.Commit;

/// <summary>
/// What a run's commit does, written durably before the first object moves. For a Hive table its existence is the
/// commit point: a run that died after writing it is rolled forward by the next run; one that died before is
/// cleaned up. For an Iceberg table it is written before the table's snapshot (<see cref="AwaitsTableCommit"/>): the
/// swap of the metadata pointer is the commit point, and the next run rolls the manifest forward only if the table
/// has a snapshot of this run; otherwise it removes the run's data files (<see cref="TableFiles"/>) and staging.
/// </summary>
internal sealed record CommitManifest
{
    public const string FileName = "_commit.json";

    public required string RunId { get; init; }

    public required IReadOnlyList<ObjectMove> Promotions { get; init; }

    public required IReadOnlyList<ObjectRef> Deletions { get; init; }

    public required RunRecord Run { get; init; }

    /// <summary>Gets whether the run commits by an Iceberg snapshot (the manifest alone commits nothing).</summary>
    public bool AwaitsTableCommit { get; init; }

    /// <summary>Gets the keys of the data files the run wrote in place into its Iceberg table.</summary>
    public IReadOnlyList<string> TableFiles { get; init; } = [];

    public static JsonSerializerOptions JsonOptions { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.Converters.Add(new LakeZoneJsonConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class LakeZoneJsonConverter : JsonConverter<LakeZone>
    {
        public override LakeZone Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => new(reader.GetString() ?? throw new JsonException("A zone name is required."));

        public override void Write(Utf8JsonWriter writer, LakeZone value, JsonSerializerOptions options)
            => writer.WriteStringValue(value.Name);
    }
}

/// <summary>An object that the commit moves from staging to its final key.</summary>
internal sealed record ObjectMove(LakeZone Zone, string From, string To);

/// <summary>An object in a zone.</summary>
internal sealed record ObjectRef(LakeZone Zone, string Key);
