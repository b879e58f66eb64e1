using Ingest.Definitions;

namespace Ingest.Database.Extraction;

/// <summary>
/// A block of extracted rows by column: one array per field of the schema column's CLR type (<c>long?[]</c>, <c>string?[]</c>, …,
/// as <see cref="RawExtractWriter"/> keeps them), so that typed readers store values without boxing and the writer copies
/// whole slices.
/// </summary>
internal sealed class ExtractBatch
{
    public ExtractBatch(IReadOnlyList<ColumnType> types, int capacity)
    {
        Types = types;
        Columns = [.. types.Select(t => Array.CreateInstance(StorageType(t), capacity))];
    }

    public IReadOnlyList<ColumnType> Types { get; }

    /// <summary>Gets the arrays, one per field, each of <see cref="StorageType"/>.</summary>
    public Array[] Columns { get; }

    public int Capacity => Columns[0].Length;

    public int Count { get; set; }

    public bool IsFull => Count == Capacity;

    /// <summary>Gets the element type a column of <paramref name="type"/> is kept in: the nullable CLR type of <see cref="InvariantValues.ClrType"/>.</summary>
    public static Type StorageType(ColumnType type)
    {
        var clr = InvariantValues.ClrType(type);
        return clr.IsValueType ? typeof(Nullable<>).MakeGenericType(clr) : clr;
    }

    /// <summary>Stores one value already converted to the column's CLR type (or <see langword="null"/>).</summary>
    public void SetBoxed(int column, int row, object? value)
    {
        switch (Columns[column])
        {
            case string?[] strings: strings[row] = (string?)value; break;
            case long?[] longs: longs[row] = (long?)value; break;
            case int?[] ints: ints[row] = (int?)value; break;
            case decimal?[] decimals: decimals[row] = (decimal?)value; break;
            case DateTime?[] times: times[row] = (DateTime?)value; break;
            case double?[] doubles: doubles[row] = (double?)value; break;
            case float?[] floats: floats[row] = (float?)value; break;
            case bool?[] booleans: booleans[row] = (bool?)value; break;
            case DateOnly?[] dates: dates[row] = (DateOnly?)value; break;
            default: Columns[column].SetValue(value, row); break;
        }
    }

    /// <summary>Empties the batch for reuse (the references of strings are dropped).</summary>
    public void Clear()
    {
        foreach (var column in Columns)
        {
            Array.Clear(column, 0, Count);
        }

        Count = 0;
    }
}
