using System.Text.Json;
using Ingest.Definitions;

namespace Ingest.Quality;

/// <summary>What a custom rule is created with: the definition entry that uses it, and the columns that entry names.</summary>
public sealed class QualityRuleContext
{
    /// <summary>Creates the context of entry <paramref name="index"/> of the definition's <c>quality.rules</c> (the engine does; tests of a rule may).</summary>
    /// <exception cref="ArgumentException">The entry names a column the definition lacks.</exception>
    public QualityRuleContext(DatasetDefinition definition, int index)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, definition.Quality.Rules.Count);
        Definition = definition;
        Index = index;
        Rule = definition.Quality.Rules[index];
        var names = Rule.Columns.Count > 0 ? Rule.Columns : Rule.Column is { } column ? [column] : [];
        Columns = [.. names.Select(n => definition.FindColumn(n) ?? throw new ArgumentException($"'{n}' is not a column of {definition.Id}.", nameof(definition)))];
    }

    /// <summary>Gets the dataset.</summary>
    public DatasetId Dataset => Definition.Id;

    /// <summary>Gets the definition that uses the rule.</summary>
    public DatasetDefinition Definition { get; }

    /// <summary>Gets the rule's entry in the definition (its name, columns, options and action).</summary>
    public QualityRule Rule { get; }

    /// <summary>Gets the position of the entry in <c>quality.rules</c>.</summary>
    public int Index { get; }

    /// <summary>Gets the columns the rule reads, in the order of <see cref="QualityRuleRow"/>: the entry's <c>columns</c>, or its <c>column</c>.</summary>
    public IReadOnlyList<ColumnDefinition> Columns { get; }

    /// <summary>
    /// Reads the entry's <c>options</c> object as <typeparamref name="T"/> (camelCase members; a member <typeparamref name="T"/>
    /// lacks is refused); an entry without options gives <c>new T()</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The options do not fit <typeparamref name="T"/>; the message says which member, and is reported at <c>quality.rules[i].options</c> when the definition is validated.</exception>
    public T GetOptions<T>()
        where T : new()
    {
        return ExtensionOptions.Read<T>(Rule.Options);
    }
}
