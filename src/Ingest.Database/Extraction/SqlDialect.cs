using System.Data;
using System.Data.Common;
using Ingest.Definitions;

namespace Ingest.Database.Extraction;

/// <summary>
/// What differs between the supported databases in the SQL Ingest writes: identifier quoting and parameter types. All three
/// take named parameters written <c>@name</c>. Names are validated by the definition validator and quoted (with escaping) here.
/// </summary>
internal sealed class SqlDialect
{
    private readonly char _open;
    private readonly char _close;

    private SqlDialect(DatabaseProvider provider, char open, char close)
    {
        Provider = provider;
        _open = open;
        _close = close;
    }

    public DatabaseProvider Provider { get; }

    public static SqlDialect For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.SqlServer => new SqlDialect(provider, '[', ']'),
        _ => new SqlDialect(provider, '"', '"'),
    };

    /// <summary>Quotes one identifier, doubling the closing quote inside it.</summary>
    public string Quote(string name)
        => _open + name.Replace(_close.ToString(), new string(_close, 2), StringComparison.Ordinal) + _close;

    /// <summary>Quotes <c>table</c> or <c>schema.table</c> part by part.</summary>
    public string QuoteTable(string table) => string.Join('.', table.Split('.').Select(Quote));

    /// <summary>The <c>FROM</c> target: the quoted table, or the query as a derived table.</summary>
    public string Source(DatabaseSourceSettings database)
        => database.Table is { } table ? QuoteTable(table) : $"({database.Query!.Trim().TrimEnd(';').TrimEnd()}) AS ingest_source";

    /// <summary>Adds a named parameter typed so that the comparison happens in the column's own type.</summary>
    public void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;

        // SqlClient sends DateTime as the legacy datetime (3.33 ms steps) unless told otherwise: a watermark would be rounded.
        if (Provider == DatabaseProvider.SqlServer && value is DateTime)
        {
            parameter.DbType = DbType.DateTime2;
        }

        command.Parameters.Add(parameter);
    }
}
