namespace Ingest.Aws.CloudWatch;

/// <summary>Options of the CloudWatch Embedded Metric Format records <c>AddIngestEmbeddedMetrics</c> writes after every run.</summary>
public sealed class EmbeddedMetricsOptions
{
    /// <summary>Gets or sets whether a record is written after every run.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets the CloudWatch namespace of the metrics.</summary>
    /// <value>The default is <see cref="EmbeddedMetrics.DefaultNamespace"/> (<c>Ingest</c>).</value>
    public string Namespace { get; set; } = EmbeddedMetrics.DefaultNamespace;

    /// <summary>Gets or sets where the records go (code only, never bound from configuration).</summary>
    /// <value>
    /// The default is <see langword="null"/>: standard output, which Lambda, ECS (awslogs) and the CloudWatch agent ship to
    /// CloudWatch Logs, where the records become metrics.
    /// </value>
    public TextWriter? Writer { get; set; }

    /// <summary>Returns one line per invalid option; empty when all are valid.</summary>
    internal IReadOnlyList<string> GetErrors()
        => string.IsNullOrWhiteSpace(Namespace)
            ? ["EmbeddedMetricsOptions.Namespace is blank: name a CloudWatch namespace (the default is 'Ingest')."]
            : [];
}
