using Ingest.Definitions;

namespace Ingest.Engine;

/// <summary>
/// A typed row on its way to the lake, as user transforms see it. Values are the CLR types of
/// <see cref="InvariantValues.ClrType(ColumnType)"/>; a transform may change them (keeping the type) or
/// reject the row with a reason, which sends it to the quarantine zone.
/// </summary>
public sealed class IngestRow
{
    private readonly RowLayout _layout;
    private readonly object?[] _values;

    internal IngestRow(RowLayout layout, object?[] values, string sourceFile, long sourceLine)
    {
        _layout = layout;
        _values = values;
        SourceFile = sourceFile;
        SourceLine = sourceLine;
    }

    /// <summary>Gets the name of the file the row came from.</summary>
    public string SourceFile { get; }

    /// <summary>Gets the 1-based line (CSV, JSON Lines) or row number (Parquet) the row started at.</summary>
    public long SourceLine { get; }

    /// <summary>Gets the reason the row was rejected, if a transform rejected it.</summary>
    public string? RejectReason { get; private set; }

    /// <summary>Gets the columns, in schema order.</summary>
    public IReadOnlyList<ColumnDefinition> Columns => _layout.Columns;

    internal object?[] Values => _values;

    /// <summary>Gets or sets a value by column name.</summary>
    /// <exception cref="ArgumentException">The column does not exist, or the value has the wrong type.</exception>
    public object? this[string column]
    {
        get => _values[_layout.IndexOf(column)];
        set
        {
            var index = _layout.IndexOf(column);
            var definition = _layout.Columns[index];
            if (value is not null && value.GetType() != InvariantValues.ClrType(definition.Type))
            {
                throw new ArgumentException(
                    $"Column '{column}' is {definition.Type} and holds {InvariantValues.ClrType(definition.Type).Name} values, not {value.GetType().Name}.",
                    nameof(value));
            }

            _values[index] = value;
        }
    }

    /// <summary>Gets a value by column name, converted to <typeparamref name="T"/>.</summary>
    public T? Get<T>(string column) => this[column] is T value ? value : default;

    /// <summary>Sends the row to the quarantine zone with <paramref name="reason"/>.</summary>
    public void Reject(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        RejectReason = reason;
    }
}

/// <summary>Name → ordinal lookup shared by all rows of a run.</summary>
internal sealed class RowLayout
{
    private readonly Dictionary<string, int> _ordinals;

    public RowLayout(IReadOnlyList<ColumnDefinition> columns)
    {
        Columns = columns;
        _ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            _ordinals[columns[i].Name] = i;
        }
    }

    public IReadOnlyList<ColumnDefinition> Columns { get; }

    public int IndexOf(string column)
        => _ordinals.TryGetValue(column, out var i)
            ? i
            : throw new ArgumentException($"'{column}' is not a column of this dataset; columns are {string.Join(", ", Columns.Select(c => c.Name))}.", nameof(column));
}
