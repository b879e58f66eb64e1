using System.Text.Json.Nodes;
using Ingest.Diagnostics;
using Ingest.Engine;
using Ingest.Ledger;

namespace Ingest.Aws.CloudWatch;

/// <summary>
/// A run's metrics as one CloudWatch Embedded Metric Format record: a JSON log line that CloudWatch Logs turns into metrics
/// (no PutMetricData call, nothing to batch), with the dataset, the dataset with the status, and the engine as dimensions. Write it to
/// the standard output of a Lambda function, an ECS task (awslogs) or a host with the CloudWatch agent, or to any log stream.
/// </summary>
/// <remarks>
/// The figures are <see cref="IngestRunMetrics.FromRun"/> of the run's ledger record, so the metric, the ledger and the
/// console agree: <c>RowsRead</c>, <c>RowsWritten</c>, <c>RowsRejected</c>, <c>BytesWritten</c>, <c>FilesWritten</c>,
/// <c>AverageFileSizeBytes</c>, <c>PartitionsWritten</c>, <c>DurationSeconds</c> (ended runs), <c>Retries</c> and
/// <c>RunsFailed</c> (1 for a failed run, as the Glue job reports it).
/// </remarks>
public static class EmbeddedMetrics
{
    /// <summary>The default metric namespace (the Terraform's dashboards and alarms read it).</summary>
    public const string DefaultNamespace = "Ingest";

    /// <summary>The value of the <c>Engine</c> dimension: the Glue job publishes the same metric names with <c>Engine=glue</c>.</summary>
    public const string Engine = "in-process";

    /// <summary>Formats the record of one run.</summary>
    /// <param name="run">The run as recorded in the ledger.</param>
    /// <param name="metricNamespace">The CloudWatch namespace.</param>
    /// <param name="timestamp">The record's time; the run's end (or start) when <see langword="null"/>.</param>
    /// <returns>One line of JSON, without a line break.</returns>
    public static string Format(RunRecord run, string metricNamespace = DefaultNamespace, DateTimeOffset? timestamp = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(metricNamespace);
        var figures = IngestRunMetrics.FromRun(run);
        var metrics = new List<(string Name, string Unit, double Value)>
        {
            ("RowsRead", "Count", figures.RowsRead),
            ("RowsWritten", "Count", figures.RowsWritten),
            ("RowsRejected", "Count", figures.RowsRejected),
            ("BytesWritten", "Bytes", figures.BytesWritten),
            ("FilesWritten", "Count", figures.FilesWritten),
            ("AverageFileSizeBytes", "Bytes", figures.AverageFileSizeBytes),
            ("PartitionsWritten", "Count", figures.PartitionsWritten),
        };
        if (figures.Duration is { } duration)
        {
            metrics.Add(("DurationSeconds", "Seconds", duration.TotalSeconds));
        }

        metrics.Add(("Retries", "Count", figures.Retries));
        metrics.Add(("RunsFailed", "Count", run.Status == RunStatus.Failed ? 1 : 0));

        var record = new JsonObject
        {
            ["_aws"] = new JsonObject
            {
                ["Timestamp"] = (timestamp ?? run.EndedAt ?? run.StartedAt).ToUnixTimeMilliseconds(),
                ["CloudWatchMetrics"] = new JsonArray(new JsonObject
                {
                    ["Namespace"] = metricNamespace,
                    ["Dimensions"] = new JsonArray(new JsonArray("Dataset"), new JsonArray("Dataset", "Status"), new JsonArray("Engine")),
                    ["Metrics"] = new JsonArray([.. metrics.Select(m => (JsonNode)new JsonObject { ["Name"] = m.Name, ["Unit"] = m.Unit })]),
                }),
            },
            ["Dataset"] = run.Dataset.ToString(),
            ["Status"] = run.Status.ToString().ToLowerInvariant(),
            ["Engine"] = Engine,
            ["RunId"] = run.RunId,
            ["DefinitionVersion"] = run.DefinitionVersion,
        };
        foreach (var (name, _, value) in metrics)
        {
            record[name] = value;
        }

        return record.ToJsonString();
    }

    /// <summary>Creates a run observer that writes one record per run to <paramref name="writer"/> (add it with <see cref="IngestPipelineBuilder.AddRunObserver"/>).</summary>
    /// <param name="writer">Where the lines go, such as <see cref="Console.Out"/>; each line is flushed.</param>
    /// <param name="metricNamespace">The CloudWatch namespace.</param>
    public static IIngestRunObserver CreateObserver(TextWriter writer, string metricNamespace = DefaultNamespace)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentException.ThrowIfNullOrWhiteSpace(metricNamespace);
        return new EmbeddedMetricsObserver(new EmbeddedMetricsOptions { Writer = writer, Namespace = metricNamespace });
    }
}
