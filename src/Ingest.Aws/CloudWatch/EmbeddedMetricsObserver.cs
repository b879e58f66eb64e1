using Ingest.Engine;
using Ingest.Ledger;
using Microsoft.Extensions.Options;

namespace Ingest.Aws.CloudWatch;

/// <summary>Writes one EMF record per run (<see cref="EmbeddedMetrics.Format"/>) as one line; lines of concurrent runs never interleave.</summary>
internal sealed class EmbeddedMetricsObserver : IIngestRunObserver
{
    private readonly EmbeddedMetricsOptions _options;
    private readonly Lock _gate = new();

    public EmbeddedMetricsObserver(IOptions<EmbeddedMetricsOptions> options)
        : this(options.Value)
    {
    }

    internal EmbeddedMetricsObserver(EmbeddedMetricsOptions options)
    {
        _options = options;
    }

    public void OnRunCompleted(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!_options.Enabled)
        {
            return;
        }

        var line = EmbeddedMetrics.Format(run, _options.Namespace);
        var writer = _options.Writer ?? Console.Out;
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
