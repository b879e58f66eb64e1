using System.Globalization;
using Ingest.Definitions;

namespace Ingest.Local.Sqlite;

/// <summary>The item keys of the single-table design (ARCHITECTURE.md), shared with the DynamoDB backend.</summary>
internal static class Keys
{
    public const string Latest = "DEF#LATEST";
    public const string Lease = "LEASE";

    public static string Dataset(DatasetId dataset) => "DATASET#" + dataset;

    /// <summary>Zero-padded so that versions sort numerically: <c>DEF#000001</c>.</summary>
    public static string Definition(int version) => "DEF#" + version.ToString("D6", CultureInfo.InvariantCulture);

    public static string Run(string runId) => "RUN#" + runId;

    public static string Source(string sha256) => "SOURCE#" + sha256;
}
