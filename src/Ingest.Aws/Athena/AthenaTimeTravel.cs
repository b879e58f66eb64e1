using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Ingest.Catalog;
using Ingest.Definitions;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest.Aws.Athena;

/// <summary>
/// Time travel on Athena (engine version 3): <see cref="QueryOptions.AsOf"/> becomes <c>FOR VERSION AS OF &lt;id&gt;</c> or
/// <c>FOR TIMESTAMP AS OF TIMESTAMP '… UTC'</c> after every reference to a registered Iceberg dataset's table (found by
/// <see cref="QueryTables"/>: outside strings and comments, in subqueries and WITH clauses, before the alias). A snapshot id
/// goes to the tables that have that snapshot only (the others are read as they are now, as the local engine does); an
/// instant goes to every Iceberg table. Hive tables have no history and are left as they are. The clause is built from the
/// parsed version (a long, a UTC instant), never from user text.
/// </summary>
internal static partial class AthenaTimeTravel
{
    /// <summary>Athena resolves a table name without a database in <c>default</c> (the engine sets no query context).</summary>
    public const string DefaultDatabase = "default";

    /// <summary>The clause after a table name that reads <paramref name="version"/>.</summary>
    public static string Clause(TableVersion version) => version.SnapshotId is { } id
        ? "FOR VERSION AS OF " + id.ToString(CultureInfo.InvariantCulture)
        : "FOR TIMESTAMP AS OF TIMESTAMP '" + version.Timestamp!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + " UTC'";

    /// <summary>
    /// Inserts <paramref name="clause"/> after each reference for which <paramref name="travels"/> is true, unless the text
    /// already has a <c>FOR</c> clause there (the query's own time travel wins).
    /// </summary>
    public static string Rewrite(string sql, Func<QueryTableReference, bool> travels, string clause)
    {
        var text = new StringBuilder(sql.Length + 64);
        var at = 0;
        foreach (var reference in QueryTables.Find(sql))
        {
            var end = reference.Start + reference.Length;
            if (!travels(reference) || OwnClause().IsMatch(sql.AsSpan(end)))
            {
                continue;
            }

            text.Append(sql, at, end - at).Append(' ').Append(clause);
            at = end;
        }

        return text.Append(sql, at, sql.Length - at).ToString();
    }

    /// <summary>
    /// Rewrites <paramref name="sql"/> to read <paramref name="version"/> of the Iceberg datasets it references.
    /// </summary>
    /// <exception cref="QueryException">A snapshot id no Iceberg table of the query has, or an instant before a table's first snapshot.</exception>
    public static async Task<string> RewriteAsync(string sql, TableVersion version, AthenaTables tables, CancellationToken cancellationToken)
    {
        var references = QueryTables.Find(sql);
        var iceberg = new List<RegisteredDefinition>();
        await foreach (var definition in tables.Registry.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (definition.Definition.TableFormat == TableFormat.Iceberg && references.Any(r => Names(r, definition)))
            {
                iceberg.Add(definition);
            }
        }

        var travelling = new List<RegisteredDefinition>();
        foreach (var definition in iceberg)
        {
            try
            {
                await TableSnapshots.ResolveVersionAsync(definition, tables.Lake, tables.IcebergCatalog, version, cancellationToken).ConfigureAwait(false);
                travelling.Add(definition);
            }
            catch (SnapshotNotFoundException ex) when (version.SnapshotId is null)
            {
                throw new QueryException($"{ex.Message} Athena cannot read a table as of an instant before its first snapshot; nothing was sent.", sql, ex);
            }
            catch (SnapshotNotFoundException)
            {
                // A snapshot id belongs to one table: the others are read as they are now.
            }
        }

        if (travelling.Count == 0)
        {
            var read = iceberg.Count == 0 ? "the query reads no Iceberg dataset's table" : $"none of the Iceberg tables the query reads ({string.Join(", ", iceberg.Select(Name))}) has it";
            throw new QueryException(
                $"--as-of {version}: {read}, and only Iceberg tables have snapshots (Hive tables have no history); ingest snapshots <dataset> lists a table's snapshots. Nothing was sent.",
                sql);
        }

        return Rewrite(sql, r => travelling.Any(d => Names(r, d)), Clause(version));
    }

    private static string Name(RegisteredDefinition d) => $"{d.Definition.CatalogDatabase}.{d.Definition.CatalogTable}";

    /// <summary>Whether the reference names the dataset's table in the AWS Data Catalog (Athena's default catalog).</summary>
    private static bool Names(QueryTableReference reference, RegisteredDefinition definition)
        => (reference.Catalog is null || string.Equals(reference.Catalog, "awsdatacatalog", StringComparison.OrdinalIgnoreCase))
           && reference.Names(definition.Definition.CatalogDatabase, definition.Definition.CatalogTable, DefaultDatabase);

    [GeneratedRegex(@"^\s*FOR\s+(VERSION|TIMESTAMP|SYSTEM_TIME|SYSTEM_VERSION)\b", RegexOptions.IgnoreCase)]
    private static partial Regex OwnClause();
}

/// <summary>What the Athena engine needs to know which tables are Iceberg datasets and which snapshots they have.</summary>
/// <param name="Registry">The schema registry.</param>
/// <param name="Lake">The lake.</param>
/// <param name="IcebergCatalog">The Iceberg catalog (Glue).</param>
internal sealed record AthenaTables(ISchemaRegistry Registry, ILakeStorage Lake, IIcebergCatalog IcebergCatalog);
