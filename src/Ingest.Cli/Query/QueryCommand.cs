using Ingest.Catalog;
using Ingest.Cli.Hosting;
using Spectre.Console.Cli;

namespace Ingest.Cli.Query;

/// <summary>
/// <c>ingest query</c>: runs SQL on the backends' query engine (DuckDB over the local lake). Values given with
/// <c>--param</c> are bound to the placeholders in order, never concatenated into the SQL text.
/// </summary>
internal sealed class QueryCommand(CliHome home, CliConsoles consoles) : AsyncCommand<QuerySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, QuerySettings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Sql))
        {
            throw new CliException("The SQL text is empty.");
        }

        if (settings.ResolveTarget() == CliTarget.Aws)
        {
            throw new CliException(
                "ingest query is not available with --target aws yet: the Athena query engine is not part of this version. Query the curated zone with Athena, or use --target local.");
        }

        await using var session = home.Open(settings);
        var engine = session.Backends.Query
            ?? throw new CliException($"The backends of {settings.ResolveHome()} have no query engine.");
        // Values are bound as text; DuckDB casts them to the type the placeholder needs (quantity >= ? with "10").
        var parameters = settings.Parameters.Select(p => (object?)p).ToList();
        try
        {
            await using var result = await engine.QueryAsync(settings.Sql, parameters, cancellationToken);
            await QueryResultWriters.WriteAsync(result, settings.Format, consoles.Out, cancellationToken);
        }
        catch (QueryException ex)
        {
            // The engine rejected the SQL or its parameters: bad input, not a crash.
            throw new CliException($"query failed: {ex.Message}");
        }

        return ExitCodes.Success;
    }
}
