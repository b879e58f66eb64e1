using System.Globalization;
using Ingest.Aws.Athena;
using Ingest.Catalog;
using Ingest.Cli.Hosting;
using Ingest.Registry;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ingest.Cli.Query;

/// <summary>
/// <c>ingest query</c>: runs SQL on the target's query engine (DuckDB over the local lake, Athena with <c>--target aws</c>).
/// Values given with <c>--param</c> are bound to the placeholders in order, never concatenated into the SQL text. On Athena
/// the data scanned and the estimated cost follow the result; Ctrl+C stops the query in Athena.
/// </summary>
internal sealed class QueryCommand(CliHome home, CliConsoles consoles) : AsyncCommand<QuerySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, QuerySettings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Sql))
        {
            throw new CliException("The SQL text is empty.");
        }

        var aws = settings.ResolveTarget() == CliTarget.Aws;
        await using var session = home.Open(settings);

        // DuckDB casts text to the type the placeholder needs (quantity >= ? with "10"); Athena does not, so there the
        // values are typed by their form (ParameterValues.Typed).
        var parameters = settings.Parameters.Select(p => aws ? ParameterValues.Typed(p) : p).ToList();
        TableVersion? asOf = null;
        try
        {
            asOf = settings.AsOf is { } text ? TableVersion.Parse(text) : null;
        }
        catch (FormatException ex)
        {
            throw new CliException($"--as-of: {ex.Message}");
        }

        if (settings.Estimate)
        {
            await EstimateAsync(session.Backends, settings.Sql, new QueryOptions { Parameters = parameters, AsOf = asOf }, cancellationToken);
            return ExitCodes.Success;
        }

        var engine = session.Backends.Query
            ?? throw new CliException(aws ? AwsBackendFactory.NoAthena : $"The backends of {settings.ResolveHome()} have no query engine.");
        try
        {
            await using var result = await engine.QueryAsync(settings.Sql, new QueryOptions { Parameters = parameters, AsOf = asOf }, cancellationToken);
            var rows = await QueryResultWriters.WriteAsync(result, settings.Format, consoles.Out, cancellationToken);
            if (result is AthenaQueryResult athena)
            {
                // After a table, for people; with CSV or JSON on standard error, so that standard output stays data.
                var console = settings.Format == QueryOutputFormat.Table ? consoles.Out : consoles.Error;
                console.MarkupLineInterpolated($"[dim]{Scanned(athena, rows)}[/]");
            }
        }
        catch (NotSupportedException) when (asOf is not null)
        {
            throw new CliException("--as-of needs the registry and the Iceberg catalog next to this query engine; write FOR TIMESTAMP AS OF TIMESTAMP '…' (or FOR VERSION AS OF <snapshot id>) after the table name in the SQL instead.");
        }
        catch (QueryException ex)
        {
            // The engine rejected the SQL or its parameters: bad input, not a crash.
            throw new CliException($"query failed: {ex.Message}");
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// <c>--estimate</c>: what the query would scan, per Iceberg table it reads, from the manifests (nothing runs), and the
    /// Athena cost of that at the list price.
    /// </summary>
    private async Task EstimateAsync(IngestBackends backends, string sql, QueryOptions options, CancellationToken cancellationToken)
    {
        var iceberg = backends.IcebergCatalog
            ?? throw new CliException("--estimate reads the Iceberg tables' manifests, and these backends have no Iceberg catalog.");
        var datasets = await backends.Registry.ListAsync(cancellationToken).ToListAsync(cancellationToken);
        ScanEstimate estimate;
        try
        {
            estimate = await ScanEstimates.EstimateAsync(sql, datasets, backends.Lake, iceberg, options, cancellationToken);
        }
        catch (SnapshotNotFoundException ex)
        {
            throw new CliException($"--as-of: {ex.Message}");
        }

        foreach (var table in estimate.Tables)
        {
            var pruned = table.PrunedBy.Count == 0 ? "no pruning" : "pruned by " + string.Join(" and ", table.PrunedBy);
            consoles.Out.WriteRaw(string.Create(
                CultureInfo.InvariantCulture,
                $"{table.Table} (snapshot {table.SnapshotId?.ToString(CultureInfo.InvariantCulture) ?? "none"}): {ConsoleOutput.N(table.Files)} of {ConsoleOutput.N(table.TotalFiles)} files, {ConsoleOutput.Bytes(table.Bytes)} of {ConsoleOutput.Bytes(table.TotalBytes)} ({ConsoleOutput.N(table.Bytes)} bytes), {pruned}\n"));
        }

        foreach (var hive in estimate.NotEstimated)
        {
            consoles.Out.WriteRaw($"{hive}: a Hive table, not estimated (it has no manifests; Athena scans the partitions it reads)\n");
        }

        if (estimate.Tables.Count == 0 && estimate.NotEstimated.Count == 0)
        {
            consoles.Out.WriteRaw("The query reads no registered dataset's table.\n");
        }

        consoles.Out.WriteRaw(EstimateLine(estimate.Bytes) + "\n");
    }

    /// <summary>The total of an estimate and its Athena cost at the list price (at least 10 MB per query that scans anything).</summary>
    internal static string EstimateLine(long bytes)
    {
        var cost = bytes == 0 ? 0m : Math.Max(bytes, AthenaQueryResult.MinimumBilledBytes) * AthenaQueryResult.UsdPerByte;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Estimate: at most {ConsoleOutput.Bytes(bytes)} scanned ({ConsoleOutput.N(bytes)} bytes, an upper bound: Athena reads only the columns it needs), estimated cost USD {cost:0.000000} on Athena (USD 5 per TB, at least 10 MB per query); the query was not run");
    }

    /// <summary>The line after an Athena result: query id, data scanned and the estimated cost at the list price.</summary>
    internal static string Scanned(AthenaQueryResult result, long rows)
    {
        var bytes = result.BytesScanned ?? 0;
        var cost = result.EstimatedCostUsd ?? 0m;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Athena query {result.QueryExecutionId}: {ConsoleOutput.N(rows)} {(rows == 1 ? "row" : "rows")}, {ConsoleOutput.Bytes(bytes)} scanned ({ConsoleOutput.N(bytes)} bytes), estimated cost USD {cost:0.000000} (USD 5 per TB, at least 10 MB per query)");
    }
}
