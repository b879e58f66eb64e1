using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Ingest.Definitions;

namespace Ingest.Engine.Validation;

/// <summary>A broken rule: which, why, and whether it rejects the row or fails the run.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Column">The column checked (the first one for multi-column rules).</param>
/// <param name="Detail">What is wrong with the value.</param>
internal sealed record RuleViolation(QualityRule Rule, string Column, string Detail)
{
    public string Reason => $"{Rule.DisplayName}: {Detail}";
}

/// <summary>
/// The definition's quality rules, compiled once per run. Nulls pass every rule except not-null (SQL semantics).
/// Unique keeps the keys seen in this run in memory (about 100 bytes per row), compared as merge keys are
/// (so 1.5 and 1.50 are the same decimal).
/// </summary>
internal sealed class QualityRuleSet
{
    private readonly List<Func<object?[], RuleViolation?>> _checks = [];
    private readonly List<UniqueKeys> _uniques = [];

    public QualityRuleSet(DatasetDefinition definition)
    {
        var layout = new RowLayout(definition.Columns);
        foreach (var rule in definition.Quality.Rules)
        {
            _checks.Add(Compile(rule, definition, layout));
        }
    }

    public bool IsEmpty => _checks.Count == 0;

    /// <summary>Returns the first violation of the row, or <see langword="null"/>. Records nothing: see <see cref="Accept"/>.</summary>
    public RuleViolation? Check(object?[] values)
    {
        foreach (var check in _checks)
        {
            if (check(values) is { } violation)
            {
                return violation;
            }
        }

        return null;
    }

    /// <summary>
    /// Records the unique keys of the row last passed to <see cref="Check"/>, once it is known to reach the
    /// curated zone: a row rejected later (by another rule, its partition value or a duplicate merge key) must
    /// not make the next row with its value a duplicate.
    /// </summary>
    public void Accept()
    {
        foreach (var unique in _uniques)
        {
            unique.Accept();
        }
    }

    private Func<object?[], RuleViolation?> Compile(QualityRule rule, DatasetDefinition definition, RowLayout layout)
    {
        if (rule.Type == QualityRuleType.Unique)
        {
            var names = rule.Columns.Count > 0 ? rule.Columns : [rule.Column!];
            var unique = new UniqueKeys(rule, names, [.. names.Select(layout.IndexOf)]);
            _uniques.Add(unique);
            return unique.Check;
        }

        var column = definition.FindColumn(rule.Column!)!;
        var ordinal = layout.IndexOf(column.Name);
        switch (rule.Type)
        {
            case QualityRuleType.NotNull:
                return values => values[ordinal] is null ? new RuleViolation(rule, column.Name, "the value is missing") : null;
            case QualityRuleType.Range:
            {
                var min = rule.Min is null ? null : Parse(rule.Min, column.Type);
                var max = rule.Max is null ? null : Parse(rule.Max, column.Type);
                var bounds = $"[{rule.Min ?? "-∞"}, {rule.Max ?? "+∞"}]";
                return values =>
                {
                    if (values[ordinal] is not IComparable value)
                    {
                        return null;
                    }

                    var outside = (min is not null && value.CompareTo(min) < 0) || (max is not null && value.CompareTo(max) > 0);
                    return outside ? new RuleViolation(rule, column.Name, $"{Quote(values[ordinal])} is outside {bounds}") : null;
                };
            }

            case QualityRuleType.Regex:
            {
                var regex = new Regex($"^(?:{rule.Pattern})$", RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));
                return values =>
                {
                    if (values[ordinal] is null)
                    {
                        return null;
                    }

                    var text = InvariantValues.Format(values[ordinal])!;
                    return regex.IsMatch(text) ? null : new RuleViolation(rule, column.Name, $"{Quote(text)} does not match /{rule.Pattern}/");
                };
            }

            case QualityRuleType.AllowedValues:
            {
                var allowed = rule.Values.Select(v => Parse(v, column.Type)).ToHashSet();
                var list = string.Join(", ", rule.Values);
                return values => values[ordinal] is null || allowed.Contains(values[ordinal]!)
                    ? null
                    : new RuleViolation(rule, column.Name, $"{Quote(values[ordinal])} is not one of {list}");
            }

            default:
                throw new InvalidOperationException($"Unknown rule type {rule.Type}.");
        }
    }

    private static object Parse(string text, ColumnType type)
        => InvariantValues.TryParse(text, type, out var value) && value is not null
            ? value
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a {type} (the definition validator should have caught this)."));

    private static string Quote(object? value) => value is null ? "null" : $"\"{InvariantValues.Format(value)}\"";
}

/// <summary>The keys a unique rule has accepted in this run, and the key of the row being checked.</summary>
internal sealed class UniqueKeys(QualityRule rule, IReadOnlyList<string> names, int[] indexes)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly StringBuilder _builder = new();
    private string? _pending;

    public RuleViolation? Check(object?[] values)
    {
        _pending = null;
        _builder.Clear();
        foreach (var index in indexes)
        {
            if (values[index] is null)
            {
                return null; // nulls pass (SQL semantics)
            }

            _builder.Append(RowProcessor.KeyText(values[index])).Append('\u001f');
        }

        var key = _builder.ToString();
        if (_seen.Contains(key))
        {
            return new RuleViolation(rule, names[0], $"({string.Join(", ", indexes.Select(i => $"\"{InvariantValues.Format(values[i])}\""))}) repeats a value seen earlier in this run");
        }

        _pending = key;
        return null;
    }

    public void Accept()
    {
        if (_pending is not null)
        {
            _seen.Add(_pending);
            _pending = null;
        }
    }
}
