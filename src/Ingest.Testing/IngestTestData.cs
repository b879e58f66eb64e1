using Ingest.Definitions;

namespace Ingest.Testing;

/// <summary>Small, valid building blocks for tests: unique dataset ids and definitions.</summary>
public static class IngestTestData
{
    /// <summary>Returns a dataset id that no other test uses: <c>{domain}.d{random}</c>.</summary>
    /// <param name="domain">The domain (a valid identifier).</param>
    public static DatasetId NewDatasetId(string domain = "test")
        => DatasetId.Create(domain, "d" + Guid.NewGuid().ToString("N")[..20]);

    /// <summary>
    /// Returns a valid CSV definition with the given columns, or when none are given:
    /// <c>id int64</c> (required), <c>customer string</c>, <c>amount decimal(18,2)</c>, <c>qty int32</c>.
    /// </summary>
    public static DatasetDefinition Definition(DatasetId id, params ColumnDefinition[] columns) => new()
    {
        Id = id,
        Source = new SourceDefinition { Format = SourceFormat.Csv },
        Columns = columns.Length > 0 ? columns :
        [
            Column("id", ColumnType.Int64, nullable: false),
            Column("customer", ColumnType.String),
            Column("amount", ColumnType.Decimal(18, 2)),
            Column("qty", ColumnType.Int32),
        ],
    };

    /// <summary>Returns a column definition.</summary>
    public static ColumnDefinition Column(string name, ColumnType type, bool nullable = true)
        => new() { Name = name, Type = type, Nullable = nullable };

    /// <summary>
    /// The columns of each kind the contract suites read and write: <c>id</c> (int64, required), <c>name</c> (string),
    /// <c>amount</c> (decimal(18,2)), <c>qty</c> (int32), <c>ok</c> (boolean), <c>day</c> (date), then <paramref name="more"/>.
    /// </summary>
    internal static ColumnDefinition[] ColumnsOfEachKind(params ColumnDefinition[] more) =>
    [
        Column("id", ColumnType.Int64, nullable: false),
        Column("name", ColumnType.String),
        Column("amount", ColumnType.Decimal(18, 2)),
        Column("qty", ColumnType.Int32),
        Column("ok", ColumnType.Boolean),
        Column("day", ColumnType.Date),
        .. more,
    ];
}
