using FluentAssertions;
using Ingest.Catalog;
using Ingest.Definitions;
using Xunit;

namespace Ingest.Testing;

/// <summary>
/// The behaviour every <see cref="IQueryEngine"/> must show: results typed per column (<see cref="QueryResult.Schema"/>),
/// values passed as parameters and never read as SQL, read-only (a statement that is not a query is refused and not run),
/// an unknown table refused with <see cref="QueryException"/>. Derive a class in a test project and implement
/// <see cref="CreateEngineAsync"/>: ingest <see cref="Csv"/> into the definition's table, the way the backend's runs do,
/// and return the engine that reads it.
/// </summary>
public abstract class QueryEngineContractTests
{
    /// <summary>The rows of the suite's table, as CSV of the definition's columns (a header, then three rows; the third all null but its id).</summary>
    /// <remarks>Row 2's name is an injection attempt: a query that compares it to a parameter must find it as data.</remarks>
    public static string Csv { get; } = """
        id,name,amount,qty,ok,day,seen_at,ratio
        1,Ada,12.50,3,true,2024-05-01,2024-05-01T10:00:00Z,0.5
        2,x' OR '1'='1,0.10,-4,false,2024-05-02,2024-05-02T23:59:59.123Z,-1.25
        3,,,,,,,

        """;

    private readonly Lazy<Task<(IQueryEngine Engine, DatasetDefinition Definition)>> _engine;

    /// <summary>Creates the suite; the engine is created once, on first use, for all of a test's queries.</summary>
    protected QueryEngineContractTests()
    {
        _engine = new(async () =>
        {
            var definition = Definition(IngestTestData.NewDatasetId("contract"));
            return (await CreateEngineAsync(definition, Csv), definition);
        });
    }

    /// <summary>Returns an engine that reads the definition's table holding the rows of <paramref name="csv"/>.</summary>
    protected abstract Task<IQueryEngine> CreateEngineAsync(DatasetDefinition definition, string csv);

    /// <summary>The definition of the suite's table: a column of each kind, CSV source.</summary>
    public static DatasetDefinition Definition(DatasetId id) => IngestTestData.Definition(
        id,
        IngestTestData.ColumnsOfEachKind(IngestTestData.Column("seen_at", ColumnType.Timestamp), IngestTestData.Column("ratio", ColumnType.Double)));

    private static readonly (string Column, Type Clr, string SqlType)[] Kinds =
    [
        ("id", typeof(long), "bigint"),
        ("name", typeof(string), "varchar"),
        ("amount", typeof(decimal), "decimal"),
        ("qty", typeof(int), "int"),
        ("ok", typeof(bool), "boolean"),
        ("day", typeof(DateOnly), "date"),
        ("seen_at", typeof(DateTime), "timestamp"),
        ("ratio", typeof(double), "double"),
    ];

    /// <summary>The schema names each column with its engine type and the CLR type of its values, which every value has.</summary>
    [Fact]
    public async Task QueryAsync_Schema_TypesEveryColumn_AndEveryValueHasItsType()
    {
        var (engine, definition) = await _engine.Value;

        await using var result = await engine.QueryAsync($"SELECT id, name, amount, qty, ok, day, seen_at, ratio FROM {Table(definition)} ORDER BY id");
        var rows = await result.ReadRowsAsync().ToListAsync();

        result.Columns.Should().Equal(Kinds.Select(k => k.Column));
        result.Schema.Select(c => c.Name).Should().Equal(result.Columns);
        foreach (var (column, i) in result.Schema.Select((c, i) => (c, i)))
        {
            column.ClrType.Should().Be(Kinds[i].Clr, $"column {column.Name} holds {Kinds[i].Clr.Name} values");
            column.DataType.Should().StartWithEquivalentOf(Kinds[i].SqlType, $"column {column.Name} is {Kinds[i].SqlType} in SQL");
            rows.Select(r => r[i]).Where(v => v is not null).Should().AllBeOfType(Kinds[i].Clr, $"values of {column.Name} are {Kinds[i].Clr.Name}");
        }
    }

    /// <summary>Each column kind reads back its values exactly; SQL NULL reads as <see langword="null"/>.</summary>
    [Fact]
    public async Task QueryAsync_EachColumnKind_ReadsBackItsValues()
    {
        var (engine, definition) = await _engine.Value;

        var rows = await RowsAsync(engine, $"SELECT id, name, amount, qty, ok, day, seen_at, ratio FROM {Table(definition)} ORDER BY id");

        rows.Should().HaveCount(3);
        rows[0].Should().Equal(1L, "Ada", 12.50m, 3, true, new DateOnly(2024, 5, 1), new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc), 0.5);
        rows[1].Should().Equal(2L, "x' OR '1'='1", 0.10m, -4, false, new DateOnly(2024, 5, 2), new DateTime(2024, 5, 2, 23, 59, 59, 123, DateTimeKind.Utc), -1.25);
        rows[2].Should().Equal(3L, null, null, null, null, null, null, null);
        ((DateTime)rows[0][6]!).Kind.Should().NotBe(DateTimeKind.Local, "timestamps are UTC or unspecified, never the host's local time");
    }

    /// <summary>A parameter that holds SQL is a value: it matches the row holding that text and nothing else.</summary>
    [Fact]
    public async Task QueryAsync_ParameterHoldingSql_IsData()
    {
        var (engine, definition) = await _engine.Value;

        var matched = await RowsAsync(engine, $"SELECT id FROM {Table(definition)} WHERE name = ? ORDER BY id", ["x' OR '1'='1"]);
        var quoted = await RowsAsync(engine, $"SELECT id FROM {Table(definition)} WHERE name = ? ORDER BY id", ["Ada' OR name IS NULL OR name <> '"]);
        var statement = await RowsAsync(engine, $"SELECT id FROM {Table(definition)} WHERE name = ? ORDER BY id", ["Ada'; DROP TABLE " + Table(definition) + "; --"]);

        matched.Select(r => r[0]).Should().Equal(2L);
        quoted.Should().BeEmpty("the text is compared, not run");
        statement.Should().BeEmpty();
        (await RowsAsync(engine, $"SELECT count(*) FROM {Table(definition)}"))[0][0].Should().Be(3L, "the table is intact");
    }

    /// <summary>Parameters of each kind bind by position (<c>?</c> and <c>$n</c>) and compare as their types.</summary>
    [Fact]
    public async Task QueryAsync_TypedParameters_BindByPosition()
    {
        var (engine, definition) = await _engine.Value;
        var table = Table(definition);

        (await RowsAsync(engine, $"SELECT id FROM {table} WHERE id = ?", [2L])).Select(r => r[0]).Should().Equal(2L);
        (await RowsAsync(engine, $"SELECT id FROM {table} WHERE amount = ? AND qty = ?", [12.50m, 3])).Select(r => r[0]).Should().Equal(1L);
        (await RowsAsync(engine, $"SELECT id FROM {table} WHERE day = ? OR ok = ? ORDER BY id", [new DateOnly(2024, 5, 2), true])).Select(r => r[0]).Should().Equal(1L, 2L);
        (await RowsAsync(engine, $"SELECT id FROM {table} WHERE seen_at > ? ORDER BY id", [new DateTime(2024, 5, 2, 0, 0, 0, DateTimeKind.Utc)])).Select(r => r[0]).Should().Equal(2L);
        (await RowsAsync(engine, $"SELECT id FROM {table} WHERE id > $2 AND name = $1", ["Ada", 0L])).Select(r => r[0]).Should().Equal(1L);
    }

    /// <summary>A query whose placeholders and parameters do not match is refused with <see cref="QueryException"/>.</summary>
    [Fact]
    public async Task QueryAsync_ParametersThatDoNotMatchThePlaceholders_ThrowQueryException()
    {
        var (engine, definition) = await _engine.Value;
        var sql = $"SELECT id FROM {Table(definition)} WHERE id = ? AND qty = ?";

        var act = () => engine.QueryAsync(sql, [1L]);

        (await act.Should().ThrowAsync<QueryException>()).Which.Sql.Should().Be(sql);
    }

    /// <summary>Statements that are not queries are refused with <see cref="QueryException"/> before they run: the table is intact.</summary>
    [Theory]
    [InlineData("DROP TABLE {0}")]
    [InlineData("DELETE FROM {0}")]
    [InlineData("INSERT INTO {0} (id) VALUES (4)")]
    [InlineData("UPDATE {0} SET qty = 0")]
    [InlineData("CREATE TABLE contract_copy AS SELECT * FROM {0}")]
    [InlineData("SELECT 1; DROP TABLE {0}")]
    public async Task QueryAsync_StatementThatIsNotAQuery_IsRefused_AndNotRun(string statement)
    {
        var (engine, definition) = await _engine.Value;
        var sql = string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, Table(definition));

        var act = () => engine.QueryAsync(sql);

        (await act.Should().ThrowAsync<QueryException>()).Which.Sql.Should().Be(sql);
        (await RowsAsync(engine, $"SELECT count(*), count(name) FROM {Table(definition)}"))[0].Should().Equal(3L, 2L);
    }

    /// <summary>A table the catalog does not have is refused with <see cref="QueryException"/> naming it.</summary>
    [Fact]
    public async Task QueryAsync_UnknownTable_ThrowsQueryException_NamingTheTable()
    {
        var (engine, definition) = await _engine.Value;
        var sql = $"SELECT * FROM {definition.CatalogDatabase}.contract_missing_table";

        var act = () => engine.QueryAsync(sql);

        var error = (await act.Should().ThrowAsync<QueryException>()).Which;
        error.Sql.Should().Be(sql);
        error.Message.Should().Contain("contract_missing_table");
    }

    /// <summary>The table a query names for a definition: <c>database.table</c>.</summary>
    protected static string Table(DatasetDefinition definition) => $"{definition.CatalogDatabase}.{definition.CatalogTable}";

    private static async Task<List<IReadOnlyList<object?>>> RowsAsync(IQueryEngine engine, string sql, IReadOnlyList<object?>? parameters = null)
    {
        await using var result = await engine.QueryAsync(sql, parameters);
        return await result.ReadRowsAsync().ToListAsync();
    }
}
