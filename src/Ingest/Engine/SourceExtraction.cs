using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ingest.Definitions;
using Ingest.Diagnostics;
using Ingest.Ledger;

namespace Ingest.Engine;

/// <summary>
/// Extracts the rows of a source that is not a file (<see cref="SourceFormat.Database"/>) into one file that the run then
/// ingests like any input: the file is copied to the raw zone, fingerprinted, read and committed with the run.
/// Implementations live in their own packages (Ingest.Database); they are <c>internal sealed</c> behind this contract.
/// </summary>
public interface ISourceExtractor
{
    /// <summary>
    /// Writes the rows of <see cref="SourceExtractRequest.Definition"/>'s source above <see cref="SourceExtractRequest.Watermark"/>
    /// to <paramref name="destination"/>, in the format the result names, one field per schema column named by its source column.
    /// </summary>
    /// <remarks>
    /// Called under the dataset's lease, once per run. The window's upper bound must be fixed before the first row is read, so
    /// rows changed during the extraction wait for the next run. Nothing is committed here: the returned watermark is recorded
    /// with the run's commit, and a run that fails or dies leaves the committed watermark as it was.
    /// </remarks>
    /// <exception cref="IngestException">The source cannot be read; the message names the dataset, the connection and the column.</exception>
    Task<SourceExtractResult> ExtractAsync(SourceExtractRequest request, Stream destination, CancellationToken cancellationToken = default);
}

/// <summary>What a run asks an <see cref="ISourceExtractor"/> to extract.</summary>
public sealed record SourceExtractRequest
{
    /// <summary>Gets the definition whose source is extracted.</summary>
    public required DatasetDefinition Definition { get; init; }

    /// <summary>Gets the run id (for names and logs).</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the cursor value committed by the last succeeded run, or <see langword="null"/> for the first extraction.</summary>
    public string? Watermark { get; init; }
}

/// <summary>What an <see cref="ISourceExtractor"/> extracted.</summary>
public sealed record SourceExtractResult
{
    /// <summary>Gets the file name of the extract (recorded as <c>_source_file</c> and in the raw zone).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the format of the extract: <see cref="SourceFormat.Parquet"/> or <see cref="SourceFormat.JsonLines"/>.</summary>
    public required SourceFormat Format { get; init; }

    /// <summary>Gets the number of rows written.</summary>
    public required long Rows { get; init; }

    /// <summary>Gets the cursor value to commit with the run, or <see langword="null"/> to leave the watermark as it is.</summary>
    public string? Watermark { get; init; }
}

/// <summary>
/// The run's hook for sources that are not files: reads the committed watermark, has the extractor write the window to a
/// temporary file, and hands that file to the run as its only input. The file is deleted when the run ends.
/// </summary>
internal sealed class SourceExtraction : IAsyncDisposable
{
    private readonly string? _path;

    private SourceExtraction(DatasetDefinition readingDefinition, IReadOnlyList<IngestInput> inputs, IReadOnlyDictionary<string, string> watermarks, string? path)
    {
        ReadingDefinition = readingDefinition;
        Inputs = inputs;
        Watermarks = watermarks;
        _path = path;
    }

    /// <summary>Gets the definition the run reads the extract with (its source is the extract's file format).</summary>
    public DatasetDefinition ReadingDefinition { get; }

    /// <summary>Gets the inputs of the run: the extract, none when the window was empty, or the replayed extracts.</summary>
    public IReadOnlyList<IngestInput> Inputs { get; }

    /// <summary>Gets the watermarks the run commits.</summary>
    public IReadOnlyDictionary<string, string> Watermarks { get; }

    /// <summary>
    /// Prepares a run's inputs: a file source needs inputs; a database source without inputs is extracted; a database source
    /// with inputs replays earlier extracts (Parquet files taken from the raw zone) without touching the database.
    /// For file sources it changes nothing.
    /// </summary>
    public static async Task<SourceExtraction> PrepareAsync(IngestRun owner, DatasetDefinition definition, RunRecord run, IReadOnlyList<IngestInput> inputs, CancellationToken cancellationToken)
    {
        if (definition.Source.Format != SourceFormat.Database)
        {
            return inputs.Count > 0 ? new SourceExtraction(definition, inputs, run.Watermarks, null) : throw new IngestException($"Dataset {definition.Id} reads {definition.Source.Format} files: give at least one input file.") { Dataset = definition.Id, RunId = run.RunId };
        }

        if (inputs.Count > 0)
        {
            return new SourceExtraction(ReadAs(definition, SourceFormat.Parquet), inputs, run.Watermarks, null);
        }

        var extractor = owner.Settings.Extractor ?? throw new IngestException(
            $"Dataset {definition.Id} reads a database: register a source extractor (services.AddIngestDatabase(...) or IngestPipelineBuilder.UseSourceExtractor) or give extracts to replay.")
        { Dataset = definition.Id, RunId = run.RunId };
        var key = WatermarkKey(definition.Source.Database!);
        var watermark = definition.Source.Database!.Cursor is null ? null : await owner.Backends.Ledger.GetWatermarkAsync(definition.Id, key, cancellationToken).ConfigureAwait(false);
        var path = NewExtractPath(run.RunId);
        try
        {
            SourceExtractResult result;
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                result = await extractor.ExtractAsync(new SourceExtractRequest { Definition = definition, RunId = run.RunId, Watermark = watermark }, file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            Log.SourceExtracted(owner.Logger, run.RunId, definition.Id.ToString(), result.Rows, watermark ?? "(none)", result.Watermark ?? "(unchanged)");
            var watermarks = new Dictionary<string, string>(run.Watermarks, StringComparer.Ordinal);
            if (result.Watermark is { } next)
            {
                watermarks[key] = next;
            }

            IReadOnlyList<IngestInput> extracted = result.Rows == 0 ? [] : [IngestInput.FromStream(result.Name, OpenExtract(path), new FileInfo(path).Length)];
            return new SourceExtraction(ReadAs(definition, result.Format), extracted, watermarks, path);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Gets the ledger key of a database source's watermark: the connection, the table (or the query's hash) and the cursor.</summary>
    public static string WatermarkKey(DatabaseSourceSettings database)
    {
        var what = database.Table ?? "query-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(database.Query ?? string.Empty)))[..16];
        return string.Create(CultureInfo.InvariantCulture, $"database:{database.Connection}:{what}:{database.Cursor?.Column}");
    }

    /// <summary>Gets the folder of temporary extracts: <c>ingest-extracts</c> under the temp folder.</summary>
    internal static string ExtractFolder => Path.Combine(Path.GetTempPath(), "ingest-extracts");

    public ValueTask DisposeAsync()
    {
        if (_path is not null)
        {
            File.Delete(_path);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Returns a new extract path named after this process, after deleting the extracts of processes that are gone (a killed run
    /// cannot delete its own; the lake is cleaned by the commit protocol, this folder here).
    /// </summary>
    private static string NewExtractPath(string runId)
    {
        var folder = Directory.CreateDirectory(ExtractFolder).FullName;
        foreach (var file in Directory.EnumerateFiles(folder, "*.extract"))
        {
            var pid = Path.GetFileName(file).Split('-')[0];
            if (int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id != Environment.ProcessId && !IsAlive(id))
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                    // Another run cleaning up at the same moment: either way the file goes.
                }
            }
        }

        return Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}-{runId}-{Guid.NewGuid():N}.extract"));
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static Func<CancellationToken, Task<Stream>> OpenExtract(string path)
        => _ => Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan));

    // The extract holds typed values in their invariant form: no null markers (an empty string is a value), ISO dates, UTC instants.
    private static DatasetDefinition ReadAs(DatasetDefinition definition, SourceFormat format)
        => definition with { Source = new SourceDefinition { Format = format, NullMarkers = [] } };
}
