using System.Diagnostics.Tracing;

namespace Ingest.Benchmarks;

/// <summary>
/// With <c>INGEST_BENCH_ALLOCATIONS=1</c> a child samples the runtime's allocation ticks (one event about
/// every 100 KB allocated, with the type that crossed the mark) during its timed run and prints the types
/// that account for most of them: where the allocated bytes of the RESULT line come from.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _recording;

    public static AllocationSampler? StartIfAsked()
        => Environment.GetEnvironmentVariable("INGEST_BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;

    public void Record() => _recording = true;

    public void Print(TextWriter output)
    {
        _recording = false;
        lock (_bytes)
        {
            var total = _bytes.Values.Sum();
            output.WriteLine($"allocation samples: {total / 1048576.0:0} MiB in all");
            foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(15))
            {
                output.WriteLine($"  {bytes / 1048576.0,8:0.0} MiB  {100.0 * bytes / total,5:0.0} %  {type}");
            }
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || !eventData.EventName!.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is not { } payload)
        {
            return;
        }

        var names = eventData.PayloadNames!;
        var type = payload[names.IndexOf("TypeName")] as string ?? "?";
        var amount = Convert.ToInt64(payload[names.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        lock (_bytes)
        {
            _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
        }
    }
}
