using System.Text.Json.Nodes;
using Ingest.Ledger;

namespace Ingest.Aws.CloudWatch;

/// <summary>
/// A run's metrics as one CloudWatch Embedded Metric Format record: a JSON log line that CloudWatch Logs turns into metrics
/// (no PutMetricData call, nothing to batch), with the dataset and the status as dimensions. Write it to the console of a
/// Glue job or Lambda function, or to any log stream.
/// </summary>
public static class EmbeddedMetrics
{
    /// <summary>The default metric namespace.</summary>
    public const string DefaultNamespace = "Ingest";

    /// <summary>Formats the record of one run.</summary>
    /// <param name="run">The run as recorded in the ledger.</param>
    /// <param name="bytesWritten">The bytes of the files written, when known.</param>
    /// <param name="retries">How many requests were retried, when known.</param>
    /// <param name="metricNamespace">The CloudWatch namespace.</param>
    /// <param name="timestamp">The record's time; the run's end (or start) when <see langword="null"/>.</param>
    /// <returns>One line of JSON, without a line break.</returns>
    public static string Format(RunRecord run, long? bytesWritten = null, int? retries = null, string metricNamespace = DefaultNamespace, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(metricNamespace);
        var files = run.FilesWritten.Count;
        var metrics = new List<(string Name, string Unit, double Value)>
        {
            ("RowsRead", "Count", run.RowsRead),
            ("RowsWritten", "Count", run.RowsWritten),
            ("RowsRejected", "Count", run.RowsRejected),
            ("FilesWritten", "Count", files),
            ("PartitionsWritten", "Count", run.PartitionsWritten.Count),
        };
        if (run.EndedAt is { } ended)
        {
            metrics.Add(("DurationSeconds", "Seconds", (ended - run.StartedAt).TotalSeconds));
        }

        if (bytesWritten is { } bytes)
        {
            metrics.Add(("BytesWritten", "Bytes", bytes));
            metrics.Add(("AverageFileSizeBytes", "Bytes", files == 0 ? 0 : (double)bytes / files));
        }

        if (retries is { } r)
        {
            metrics.Add(("Retries", "Count", r));
        }

        var status = run.Status.ToString().ToLowerInvariant();
        var record = new JsonObject
        {
            ["_aws"] = new JsonObject
            {
                ["Timestamp"] = (timestamp ?? run.EndedAt ?? run.StartedAt).ToUnixTimeMilliseconds(),
                ["CloudWatchMetrics"] = new JsonArray(new JsonObject
                {
                    ["Namespace"] = metricNamespace,
                    ["Dimensions"] = new JsonArray(new JsonArray("Dataset"), new JsonArray("Dataset", "Status")),
                    ["Metrics"] = new JsonArray([.. metrics.Select(m => (JsonNode)new JsonObject { ["Name"] = m.Name, ["Unit"] = m.Unit })]),
                }),
            },
            ["Dataset"] = run.Dataset.ToString(),
            ["Status"] = status,
            ["RunId"] = run.RunId,
            ["DefinitionVersion"] = run.DefinitionVersion,
        };
        foreach (var (name, _, value) in metrics)
        {
            record[name] = value;
        }

        return record.ToJsonString();
    }
}
