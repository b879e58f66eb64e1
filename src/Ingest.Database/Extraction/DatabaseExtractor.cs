using System.Data.Common;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading.Channels;
using Ingest.Database.Connections;
using Ingest.Database.Diagnostics;
using Ingest.Database.Mapping;
using Ingest.Definitions;
using Ingest.Engine;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ingest.Database.Extraction;

/// <summary>
/// Extracts a table or query through ADO.NET: resolves the connection, checks the columns and their types with an empty
/// probe, fixes the window (above the watermark, up to the largest cursor value minus the lag, read once at the start),
/// optionally splits it into ranges of a numeric key read on parallel connections, streams the rows through
/// <see cref="DbDataReader"/>, converts each value to its schema type and writes the raw Parquet extract.
/// </summary>
internal sealed class DatabaseExtractor(DatabaseSourceOptions options, ConnectionResolution connections, TimeProvider time, ILogger logger) : ISourceExtractor
{
    private const int BatchRows = 4096;

    public async Task<SourceExtractResult> ExtractAsync(SourceExtractRequest request, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(destination);
        var definition = request.Definition;
        var database = definition.Source.Database
            ?? throw new ArgumentException($"Dataset {definition.Id} has no database source.", nameof(request));
        var plan = ExtractPlan.For(definition);
        var factory = connections.Factory(definition.Id, database.Provider);
        var connectionString = await connections.ResolveAsync(definition.Id, database, cancellationToken).ConfigureAwait(false);
        var source = new SourceConnection(plan, SqlDialect.For(database.Provider), factory, connectionString);
        var name = string.Create(CultureInfo.InvariantCulture, $"{(database.Table ?? definition.Id.Name).Replace('.', '_')}-{request.RunId}.parquet");

        var connection = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await source.ProbeAsync(connection, cancellationToken).ConfigureAwait(false);
            var window = await source.WindowAsync(connection, request.Watermark, cancellationToken).ConfigureAwait(false);
            if (window.IsEmpty)
            {
                Log.WindowEmpty(logger, definition.Id.ToString(), database.Connection, request.Watermark ?? "(none)");
                return new SourceExtractResult { Name = name, Format = SourceFormat.Parquet, Rows = 0 };
            }

            var ranges = await source.RangesAsync(connection, window, cancellationToken).ConfigureAwait(false);
            var writer = await RawExtractWriter.CreateAsync(destination, [.. plan.Fields.Select(f => (f.Name, f.Type))], options.RowGroupRows, cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                var reader = await ReadAllAsync(source, connection, window, ranges, writer, options.PostgresBinaryCopy, cancellationToken).ConfigureAwait(false);
                await writer.CompleteAsync(Metadata(request, source, window, ranges, writer.Rows, reader), cancellationToken).ConfigureAwait(false);
            }

            var next = window.Upper is { } upper ? CursorValues.Format(upper) : null;
            Log.Extracted(logger, definition.Id.ToString(), database.Connection, writer.Rows, ranges.Count, request.Watermark ?? "(none)", next ?? "(no cursor)");
            return new SourceExtractResult { Name = name, Format = SourceFormat.Parquet, Rows = writer.Rows, Watermark = next };
        }
    }

    /// <summary>
    /// Reads every range (range 0 on the open connection, the others on their own) into one bounded channel that the writer drains;
    /// returns which reader read the ranges (<c>binary COPY</c>, <c>ADO.NET</c> or both).
    /// </summary>
    private static async Task<string> ReadAllAsync(SourceConnection source, DbConnection first, ExtractWindow window, IReadOnlyList<KeyRange> ranges, RawExtractWriter writer, bool binaryCopy, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<ExtractBatch>(new BoundedChannelOptions(4) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var copyColumns = binaryCopy ? PostgresBinaryCopy.Columns(source.Plan, source.PostgresTypes) : null;
        var readers = ranges.Select((range, i) => ReadRangeAsync(source, i == 0 ? first : null, window, range, copyColumns, channel.Writer, failed)).ToList();
        var completion = Task.WhenAll(readers).ContinueWith(t => channel.Writer.TryComplete(t.Exception?.GetBaseException()), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Exception? writeError = null;
        try
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(failed.Token).ConfigureAwait(false))
            {
                await writer.AddAsync(batch, failed.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            writeError = ex;
            await failed.CancelAsync().ConfigureAwait(false);
        }

        await completion.ConfigureAwait(false);

        // The first failure of a reader wins over the cancellations it caused elsewhere.
        foreach (var reader in readers)
        {
            if (reader.IsFaulted && reader.Exception!.GetBaseException() is var error and not OperationCanceledException)
            {
                ExceptionDispatchInfo.Throw(error);
            }
        }

        if (writeError is not null)
        {
            ExceptionDispatchInfo.Throw(writeError);
        }

        var copied = await Task.WhenAll(readers).ConfigureAwait(false);
        return copied.All(c => c) ? "binary COPY" : copied.Any(c => c) ? "binary COPY and ADO.NET" : "ADO.NET";
    }

    private static async Task<bool> ReadRangeAsync(SourceConnection source, DbConnection? open, ExtractWindow window, KeyRange range, CopyColumn[]? copyColumns, ChannelWriter<ExtractBatch> output, CancellationTokenSource failed)
    {
        var cancellationToken = failed.Token;
        try
        {
            await Task.Yield();
            var connection = open ?? await source.OpenAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (copyColumns is not null && connection is NpgsqlConnection npgsql
                    && await PostgresBinaryCopy.PrepareAsync(source, npgsql, window, range, cancellationToken).ConfigureAwait(false) is { } copy)
                {
                    // Npgsql's exporter reads value by value; synchronous reads on a thread of their own cost least per value.
                    await Task.Factory.StartNew(() => CopyRange(source, npgsql, copy, copyColumns, output, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                    return true;
                }

                await foreach (var batch in source.ReadAsync(connection, window, range, BatchRows, cancellationToken).ConfigureAwait(false))
                {
                    await output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                }

                return false;
            }
            finally
            {
                if (open is null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        catch
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void CopyRange(SourceConnection source, NpgsqlConnection connection, string sql, CopyColumn[] columns, ChannelWriter<ExtractBatch> output, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var batch in PostgresBinaryCopy.Read(source, connection, sql, columns, BatchRows, cancellationToken))
            {
                var write = output.WriteAsync(batch, cancellationToken);
                if (!write.IsCompletedSuccessfully)
                {
                    write.AsTask().GetAwaiter().GetResult();
                }
            }
        }
        catch (DbException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The extraction was cancelled.", ex, cancellationToken);
        }
        catch (DbException ex)
        {
            throw source.Fail($"reading {source.What} failed: {SourceConnection.Message(ex)}", ex, transient: ex.IsTransient);
        }
    }

    private Dictionary<string, string> Metadata(SourceExtractRequest request, SourceConnection source, ExtractWindow window, IReadOnlyList<KeyRange> ranges, long rows, string reader)
    {
        var database = source.Plan.Database;
        var sql = new StringBuilder();
        foreach (var range in ranges)
        {
            sql.AppendLine(source.SelectSql(window, range, out _));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ingest.extract.dataset"] = request.Definition.Id.ToString(),
            ["ingest.extract.run_id"] = request.RunId,
            ["ingest.extract.connection"] = database.Connection,
            ["ingest.extract.provider"] = ConnectionResolution.Describe(database.Provider),
            ["ingest.extract.source"] = database.Table ?? database.Query!,
            ["ingest.extract.sql"] = sql.ToString().TrimEnd(),
            ["ingest.extract.rows"] = rows.ToString(CultureInfo.InvariantCulture),
            ["ingest.extract.reader"] = reader,
            ["ingest.extract.extracted_at"] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        };
        if (database.Cursor is { } cursor)
        {
            metadata["ingest.extract.cursor"] = cursor.Column;
            metadata["ingest.extract.window_lower_exclusive"] = window.Lower is { } lower ? CursorValues.Format(lower) : string.Empty;
            metadata["ingest.extract.window_upper_inclusive"] = window.Upper is { } upper ? CursorValues.Format(upper) : string.Empty;
        }

        if (ranges.Count > 1)
        {
            metadata["ingest.extract.ranges"] = string.Join("; ", ranges.Select(r => r.ToString()));
        }

        return metadata;
    }
}
