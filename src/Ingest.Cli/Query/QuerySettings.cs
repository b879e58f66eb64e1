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
}
