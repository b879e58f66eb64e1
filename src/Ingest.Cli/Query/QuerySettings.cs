using System.ComponentModel;
using Ingest.Cli.Hosting;
using Spectre.Console.Cli;

namespace Ingest.Cli.Query;

internal enum QueryOutputFormat
{
    Table,
    Csv,
    Json,
}

internal sealed class QuerySettings : GlobalSettings
{
    [CommandArgument(0, "<SQL>")]
    [Description("The SQL text; use ? (or $1, $2, …) for values and pass them with --param")]
    public string Sql { get; init; } = string.Empty;

    [CommandOption("-f|--format <FORMAT>")]
    [Description("table, csv or json")]
    [DefaultValue(QueryOutputFormat.Table)]
    public QueryOutputFormat Format { get; init; } = QueryOutputFormat.Table;

    [CommandOption("-p|--param <VALUE>")]
    [Description("A parameter value, bound to the placeholders in order (repeat for each); never pasted into the SQL")]
    public string[] Parameters { get; init; } = [];

    [CommandOption("--as-of <SNAPSHOT_OR_TIME>")]
    [Description("Read the Iceberg tables as they were: a snapshot id (ingest snapshots lists them) or an instant such as 2024-05-01T10:00:00Z (on Athena as FOR VERSION/TIMESTAMP AS OF)")]
    public string? AsOf { get; init; }

    [CommandOption("--estimate")]
    [Description("Do not run the query: print the bytes it would scan, from the Iceberg tables' manifests after partition and min/max pruning (an upper bound), and the Athena cost of that")]
    public bool Estimate { get; init; }
}
