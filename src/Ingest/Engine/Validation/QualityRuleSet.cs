using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Ingest.Definitions;
using Ingest.Quality;

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

    public QualityRuleSet(DatasetDefinition definition, IngestExtensions? extensions = null)
    {
        var layout = new RowLayout(definition.Columns);
        for (var i = 0; i < definition.Quality.Rules.Count; i++)
        {
            var rule = definition.Quality.Rules[i];
            _checks.Add(rule.Type.IsBuiltIn ? Compile(rule, definition, layout) : CompileCustom(new QualityRuleContext(definition, i), extensions ?? IngestExtensions.None, layout));
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
            case var t when t == QualityRuleType.NotNull:
                return values => values[ordinal] is null ? new RuleViolation(rule, column.Name, "the value is missing") : null;
            case var t when t == QualityRuleType.Range:
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

            case var t when t == QualityRuleType.Regex:
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

            case var t when t == QualityRuleType.AllowedValues:
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

    /// <summary>
    /// A registered rule sees the values of the columns its entry names (boxed: the engine keeps them out of the physical
    /// fast path) and is not asked about a row where one of them is null.
    /// </summary>
    private static Func<object?[], RuleViolation?> CompileCustom(QualityRuleContext context, IngestExtensions extensions, RowLayout layout)
    {
        var rule = context.Rule;
        var custom = extensions.CreateRule(context);
        var columns = context.Columns;
        int[] ordinals = [.. columns.Select(c => layout.IndexOf(c.Name))];
        var first = columns[0].Name;
        return values =>
        {
            foreach (var ordinal in ordinals)
            {
                if (values[ordinal] is null)
                {
                    return null;
                }
            }

            string? detail;
            try
            {
                detail = custom.Check(new QualityRuleRow(values, ordinals, columns));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new IngestException($"Dataset {context.Dataset}: rule {rule.DisplayName} (quality.rules[{context.Index}]) threw {ex.GetType().Name}: {ex.Message}", ex) { Dataset = context.Dataset };
            }

            return detail is null ? null : new RuleViolation(rule, first, detail);
        };
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
