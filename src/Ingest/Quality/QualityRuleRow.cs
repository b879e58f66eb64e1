using Ingest.Definitions;

namespace Ingest.Quality;

/// <summary>
/// The values a custom rule reads from one row: those of the columns its definition entry names, in that order, as
/// typed values (<see cref="string"/>, <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>, <see cref="float"/>,
/// <see cref="double"/>, <see cref="decimal"/>, <see cref="DateOnly"/>, or a UTC <see cref="DateTime"/> for a timestamp).
/// Valid only during <see cref="IQualityRule.Check"/>.
/// </summary>
public readonly struct QualityRuleRow
{
    private readonly object?[] _values;
    private readonly int[] _ordinals;
    private readonly IReadOnlyList<ColumnDefinition> _columns;

    internal QualityRuleRow(object?[] values, int[] ordinals, IReadOnlyList<ColumnDefinition> columns)
    {
        _values = values;
        _ordinals = ordinals;
        _columns = columns;
    }

    /// <summary>Creates a row of the values of the context's columns, in order (for tests of a rule; the engine hands rows over without copying).</summary>
    /// <exception cref="ArgumentException">There is not one value per column, or a value is null.</exception>
    public QualityRuleRow(QualityRuleContext context, params object[] values)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != context.Columns.Count || values.Any(v => v is null))
        {
            throw new ArgumentException($"Expected {context.Columns.Count} non-null values, one per column of the rule ({string.Join(", ", context.Columns.Select(c => c.Name))}).", nameof(values));
        }

        _values = values;
        _ordinals = [.. Enumerable.Range(0, values.Length)];
        _columns = context.Columns;
    }

    /// <summary>Gets the number of columns the rule reads.</summary>
    public int Count => _ordinals?.Length ?? 0;

    /// <summary>Gets the value of the rule's column <paramref name="index"/> (never null: see <see cref="IQualityRule"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Count"/>.</exception>
    public object this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _values[_ordinals[index]]!;
        }
    }

    /// <summary>Gets the value of the rule's column <paramref name="index"/> as <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidCastException">The column's values are of another type (the message names the column and its type).</exception>
    public T Get<T>(int index)
    {
        var value = this[index];
        return value is T typed
            ? typed
            : throw new InvalidCastException($"Column '{_columns[index].Name}' is {_columns[index].Type}: its values are {value.GetType().Name}, not {typeof(T).Name}.");
    }
}
