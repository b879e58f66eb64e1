using System.Globalization;
using Ingest.Definitions;
using Ingest.Engine.Tables;
using Ingest.Registry;
using Ingest.Storage;
using Ingest.Tables.Iceberg;

namespace Ingest.Catalog;

/// <summary>What one table reference of a query would scan, from its snapshot's manifests.</summary>
public sealed record TableScanEstimate
{
    /// <summary>Gets the dataset.</summary>
    public required DatasetId Dataset { get; init; }

    /// <summary>Gets the table as the query names it (<c>database.table</c>).</summary>
    public required string Table { get; init; }

    /// <summary>Gets the snapshot the estimate read (<see langword="null"/> when the table had none: nothing to scan).</summary>
    public long? SnapshotId { get; init; }

    /// <summary>Gets the data files left after pruning.</summary>
    public int Files { get; init; }

    /// <summary>Gets the sum of their sizes (<c>file_size_in_bytes</c>).</summary>
    public long Bytes { get; init; }

    /// <summary>Gets the snapshot's live data files before pruning.</summary>
    public int TotalFiles { get; init; }

    /// <summary>Gets the sum of their sizes.</summary>
    public long TotalBytes { get; init; }

    /// <summary>Gets the predicates files were pruned by (<c>column op literal</c>); empty when none could be used.</summary>
    public IReadOnlyList<string> PrunedBy { get; init; } = [];
}

/// <summary>
/// What a query would scan, estimated before it runs: see <see cref="ScanEstimates.EstimateAsync"/>. It is an upper bound:
/// engines read only the columns and row groups they need, and a predicate that was not understood prunes nothing.
/// </summary>
/// <param name="Tables">One entry per reference to an Iceberg dataset's table (a table read twice counts twice).</param>
/// <param name="NotEstimated">Tables the query reads that have no manifests to estimate from (Hive datasets), as <c>database.table</c>.</param>
public sealed record ScanEstimate(IReadOnlyList<TableScanEstimate> Tables, IReadOnlyList<string> NotEstimated)
{
    /// <summary>Gets the bytes of the data files left after pruning, over all tables.</summary>
    public long Bytes => Tables.Sum(t => t.Bytes);
}

/// <summary>
/// Estimates the bytes a query scans from the manifests of the Iceberg tables it reads, without running it: the live data
/// files of the snapshot read (the current one, or <see cref="QueryOptions.AsOf"/>), less the files that partition values
/// and column bounds (min/max) show cannot match the simple predicates of the query's WHERE clauses —
/// <c>column = &lt; &lt;= &gt; &gt;= literal</c> and <c>column BETWEEN a AND b</c> joined by AND, with literals and
/// <c>?</c> or <c>$n</c> values of <see cref="QueryOptions.Parameters"/>. Anything else (OR, functions, casts, joins'
/// ON conditions) prunes nothing, so the estimate never undercounts the files a query reads.
/// </summary>
public static class ScanEstimates
{
    /// <summary>Estimates what <paramref name="sql"/> scans.</summary>
    /// <param name="sql">The query.</param>
    /// <param name="datasets">The registered datasets (latest versions); their tables are matched by <c>database.table</c>.</param>
    /// <param name="lake">The lake.</param>
    /// <param name="catalog">The Iceberg catalog.</param>
    /// <param name="options">The parameters and the table version the query would read.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <exception cref="SnapshotNotFoundException"><see cref="QueryOptions.AsOf"/> names a snapshot no table referenced has.</exception>
    public static async Task<ScanEstimate> EstimateAsync(
        string sql,
        IReadOnlyList<RegisteredDefinition> datasets,
        ILakeStorage lake,
        IIcebergCatalog catalog,
        QueryOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(datasets);
        ArgumentNullException.ThrowIfNull(lake);
        ArgumentNullException.ThrowIfNull(catalog);
        var shape = SqlQueryShape.Read(sql);
        var estimates = new List<TableScanEstimate>();
        var notEstimated = new List<string>();
        var loaded = new Dictionary<DatasetId, (IcebergTable Table, IcebergTableMetadata? Metadata)>();
        var asOfFound = options?.AsOf?.SnapshotId is null;
        foreach (var reference in shape.Tables)
        {
            var name = reference.Reference;
            var definition = datasets.FirstOrDefault(d => name.Names(d.Definition.CatalogDatabase, d.Definition.CatalogTable));
            if (definition is null)
            {
                continue;
            }

            var tableName = $"{definition.Definition.CatalogDatabase}.{definition.Definition.CatalogTable}";
            if (definition.Definition.TableFormat != TableFormat.Iceberg)
            {
                if (!notEstimated.Contains(tableName))
                {
                    notEstimated.Add(tableName);
                }

                continue;
            }

            if (!loaded.TryGetValue(definition.Dataset, out var entry))
            {
                var table = new IcebergTable(definition, catalog, lake, TimeProvider.System);
                entry = (table, (await table.LoadAsync(cancellationToken).ConfigureAwait(false)).Metadata);
                loaded[definition.Dataset] = entry;
            }

            var snapshot = SnapshotToRead(entry.Metadata, options?.AsOf);
            asOfFound |= snapshot is not null && snapshot == options?.AsOf?.SnapshotId;
            var files = entry.Metadata is null || snapshot is null
                ? []
                : await IcebergTable.LiveFilesAsync(entry.Table.Files, entry.Metadata, snapshot, cancellationToken).ConfigureAwait(false);
            var predicates = entry.Metadata is null ? [] : Applicable(shape, reference, entry.Metadata, options?.Parameters);
            var kept = files.Where(f => predicates.All(p => p.MayMatch(f))).ToList();
            estimates.Add(new TableScanEstimate
            {
                Dataset = definition.Dataset,
                Table = tableName,
                SnapshotId = snapshot,
                Files = kept.Count,
                Bytes = kept.Sum(f => f.FileSizeInBytes),
                TotalFiles = files.Count,
                TotalBytes = files.Sum(f => f.FileSizeInBytes),
                PrunedBy = [.. predicates.Select(p => p.Text)],
            });
        }

        if (!asOfFound)
        {
            throw new SnapshotNotFoundException(estimates.FirstOrDefault()?.Dataset ?? default, $"No table the query reads has snapshot {options!.AsOf}; ingest snapshots <dataset> lists a table's snapshots.");
        }

        return new ScanEstimate(estimates, notEstimated);
    }

    /// <summary>The snapshot read: the current one; the one named, if this table has it (else the current one); the one current at the instant (none if the table is younger).</summary>
    private static long? SnapshotToRead(IcebergTableMetadata? metadata, TableVersion? asOf)
    {
        if (metadata is null)
        {
            return null;
        }

        return asOf switch
        {
            null => metadata.CurrentSnapshotId,
            { SnapshotId: { } id } => metadata.Snapshot(id) is null ? metadata.CurrentSnapshotId : id,
            { Timestamp: { } at } => IcebergTableScan.SnapshotAsOf(metadata, at.ToUnixTimeMilliseconds()),
            _ => metadata.CurrentSnapshotId,
        };
    }

    /// <summary>The predicates of the reference's block on this table's columns whose literal converts to the column's type.</summary>
    private static List<FilePredicate> Applicable(SqlQueryShape shape, SqlTableInBlock reference, IcebergTableMetadata metadata, IReadOnlyList<object?>? parameters)
    {
        var result = new List<FilePredicate>();
        var schema = metadata.CurrentSchema;
        var alone = shape.Relations.GetValueOrDefault(reference.Block) == 1;
        var spec = metadata.PartitionSpecs.Count == 1 ? metadata.DefaultSpec : null;
        foreach (var predicate in shape.Predicates.Where(p => p.Block == reference.Block))
        {
            if (!Qualifies(predicate.Qualifier, reference.Reference, alone))
            {
                continue;
            }

            var field = schema.Fields.FirstOrDefault(f => string.Equals(f.Name, predicate.Column, StringComparison.OrdinalIgnoreCase));
            if (field is null || ScanValues.FromLiteral(field.Type, Resolve(predicate.Literal, parameters)) is not { } value)
            {
                continue;
            }

            var partitions = spec is null
                ? []
                : spec.Fields.Select((f, i) => (Field: f, Index: i)).Where(p => p.Field.SourceId == field.Id).ToList();
            result.Add(new FilePredicate(field, predicate.Operator, value, partitions, $"{field.Name} {predicate.Operator} {Describe(predicate.Literal, parameters)}"));
        }

        return result;
    }

    private static bool Qualifies(IReadOnlyList<string> qualifier, QueryTableReference table, bool alone)
    {
        if (qualifier.Count == 0)
        {
            return alone; // in a join, a bare column may be another relation's
        }

        if (qualifier.Count > 3)
        {
            return false; // catalog.database.table.column at most; more parts are fields of a row value
        }

        if (table.Alias is not null)
        {
            return qualifier.Count == 1 && string.Equals(qualifier[0], table.Alias, StringComparison.OrdinalIgnoreCase);
        }

        string?[] parts = [table.Catalog, table.Database, table.Table];
        var tail = parts[^qualifier.Count..];
        return tail.Zip(qualifier).All(p => p.First is not null && string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));
    }

    private static SqlLiteral? Resolve(SqlLiteral literal, IReadOnlyList<object?>? parameters)
    {
        if (literal.Kind != SqlLiteralKind.Parameter)
        {
            return literal;
        }

        if (parameters is null || literal.Parameter < 0 || literal.Parameter >= parameters.Count)
        {
            return null;
        }

        return parameters[literal.Parameter] switch
        {
            null => null,
            string s => new SqlLiteral(SqlLiteralKind.String, s),
            bool b => new SqlLiteral(SqlLiteralKind.Boolean, b ? "true" : "false"),
            DateOnly d => new SqlLiteral(SqlLiteralKind.Date, d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            DateTime t => new SqlLiteral(SqlLiteralKind.Timestamp, t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)),
            DateTimeOffset t => new SqlLiteral(SqlLiteralKind.Timestamp, t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)),
            IConvertible n and (byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal)
                => new SqlLiteral(SqlLiteralKind.Number, n.ToString(CultureInfo.InvariantCulture)),
            _ => null,
        };
    }

    private static string Describe(SqlLiteral literal, IReadOnlyList<object?>? parameters)
        => Resolve(literal, parameters) is { } value
            ? value.Kind switch
            {
                SqlLiteralKind.String => "'" + value.Text.Replace("'", "''", StringComparison.Ordinal) + "'",
                SqlLiteralKind.Date => $"DATE '{value.Text}'",
                SqlLiteralKind.Timestamp => $"TIMESTAMP '{value.Text}'",
                _ => value.Text,
            }
            : literal.Text;

    /// <summary>A predicate on one column, checked against a data file's partition values and bounds.</summary>
    private sealed record FilePredicate(IcebergField Field, string Operator, object Value, List<(IcebergPartitionField Field, int Index)> Partitions, string Text)
    {
        /// <summary>Whether the file may hold a row that satisfies the predicate (false only when its metadata rules it out).</summary>
        public bool MayMatch(IcebergDataFile file)
        {
            if (file.LowerBounds?.TryGetValue(Field.Id, out var lowBytes) == true && file.UpperBounds?.TryGetValue(Field.Id, out var highBytes) == true)
            {
                var low = ScanValues.Normalize(Field.Type, IcebergValues.FromBinary(Field.Type, lowBytes));
                var high = ScanValues.Normalize(Field.Type, IcebergValues.FromBinary(Field.Type, highBytes));
                if (!Overlaps(low, high, Operator, Value))
                {
                    return false;
                }
            }

            foreach (var (partition, index) in Partitions)
            {
                if (index >= file.Partition.Count)
                {
                    continue;
                }

                if (file.Partition[index] is not { } stored)
                {
                    return false; // a NULL partition value: no comparison with it is true
                }

                var value = ScanValues.Normalize(Field.Type, stored);
                if (partition.Transform == "identity")
                {
                    if (!Overlaps(value, value, Operator, Value))
                    {
                        return false;
                    }
                }
                else if (ScanValues.Transform(Field.Type, partition.Transform, Value) is { } bucket)
                {
                    // day, month and year never decrease with the value: a strict bound becomes inclusive on the partition.
                    var op = Operator switch { "<" => "<=", ">" => ">=", var same => same };
                    if (!Overlaps((long)Convert.ToInt32(stored, CultureInfo.InvariantCulture), (long)Convert.ToInt32(stored, CultureInfo.InvariantCulture), op, bucket))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        /// <summary>Whether some value in [low, high] satisfies <c>value op literal</c>.</summary>
        private static bool Overlaps(object low, object high, string op, object literal) => op switch
        {
            "=" => ScanValues.Compare(low, literal) <= 0 && ScanValues.Compare(high, literal) >= 0,
            "<" => ScanValues.Compare(low, literal) < 0,
            "<=" => ScanValues.Compare(low, literal) <= 0,
            ">" => ScanValues.Compare(high, literal) > 0,
            ">=" => ScanValues.Compare(high, literal) >= 0,
            _ => true,
        };
    }
}
