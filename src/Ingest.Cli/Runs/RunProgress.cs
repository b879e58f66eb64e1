using System.Diagnostics;
using Ingest.Cli.Hosting;
using Ingest.Engine;
using Spectre.Console;

namespace Ingest.Cli.Runs;

/// <summary>
/// Feeds the engine's progress reports into a Spectre progress task (bytes as the bar, rows and rows/s in the
/// description). Reports arrive on the engine's threads; Spectre's task is thread-safe.
/// </summary>
internal sealed class RunProgress(long totalBytes) : IProgress<IngestProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private ProgressTask? _task;

    public void Attach(ProgressTask task)
    {
        _task = task;
        task.MaxValue = Math.Max(1, totalBytes);
    }

    public void Report(IngestProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_task is not { } task)
        {
            return;
        }

        if (value.TotalBytes is > 0 and var total && Math.Abs(total - task.MaxValue) > 0.5)
        {
            task.MaxValue = total;
        }

        task.Value = Math.Min(value.BytesRead, task.MaxValue);
        var rate = value.RowsRead / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        task.Description = Markup.Escape(
            $"{value.CurrentInput} {ConsoleOutput.N(value.RowsRead)} rows {ConsoleOutput.Rate(rate)}/s");
    }

    public void Complete()
    {
        if (_task is { } task)
        {
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
