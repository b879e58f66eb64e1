using System.Diagnostics.CodeAnalysis;
using Ingest.Definitions;

namespace Ingest.Engine;

/// <summary>
/// A typed row on its way to the lake, as user transforms see it. Values have the CLR type of their column
/// (<see cref="ColumnType.ClrType"/>); a transform may change them (keeping the type) or reject the row with a reason,
/// which sends it to the quarantine zone.
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

    /// <summary>Gets a value by column name as <typeparamref name="T"/>; <see langword="default"/> for a null value.</summary>
    /// <typeparam name="T">The column's CLR type (<see cref="ColumnType.ClrType"/>), or a type it converts to by reference (such as <see cref="object"/>).</typeparam>
    /// <exception cref="ArgumentException">The column does not exist.</exception>
    /// <exception cref="InvalidCastException">The column's values are not <typeparamref name="T"/>; the message names the type to ask for.</exception>
    public T? Get<T>(string column)
    {
        var index = _layout.IndexOf(column);
        return _values[index] switch
        {
            null => default,
            T value => value,
            _ => throw Mismatch<T>(index),
        };
    }

    /// <summary>Gets a value by column name as <typeparamref name="T"/>, when it is not null.</summary>
    /// <returns><see langword="true"/> with the value; <see langword="false"/> when the value is null.</returns>
    /// <exception cref="ArgumentException">The column does not exist.</exception>
    /// <exception cref="InvalidCastException">The column's values are not <typeparamref name="T"/>; the message names the type to ask for.</exception>
    public bool TryGet<T>(string column, [MaybeNullWhen(false)] out T value)
    {
        var index = _layout.IndexOf(column);
        switch (_values[index])
        {
            case null:
                value = default;
                return false;
            case T typed:
                value = typed;
                return true;
            default:
                throw Mismatch<T>(index);
        }
    }

    /// <summary>Returns whether the value of <paramref name="column"/> is null.</summary>
    /// <exception cref="ArgumentException">The column does not exist.</exception>
    public bool IsNull(string column) => _values[_layout.IndexOf(column)] is null;

    /// <summary>Sends the row to the quarantine zone with <paramref name="reason"/>.</summary>
    public void Reject(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        RejectReason = reason;
    }

    private InvalidCastException Mismatch<T>(int index)
    {
        var definition = _layout.Columns[index];
        var clr = InvariantValues.ClrType(definition.Type);
        return new InvalidCastException(
            $"Column '{definition.Name}' is {definition.Type} and holds {clr.Name} values, not {typeof(T).Name}: read it with Get<{clr.Name}>(\"{definition.Name}\").");
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
