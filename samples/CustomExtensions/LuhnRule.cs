using Ingest.Definitions;
using Ingest.Quality;

namespace CustomExtensions;

/// <summary>The settings of a <c>luhn</c> rule, from its definition entry's <c>options</c>.</summary>
public sealed class LuhnOptions
{
    /// <summary>Gets or sets whether spaces between digit groups are allowed (<c>4111 1111 1111 1111</c>).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool AllowSpaces { get; set; }

    /// <summary>Gets or sets the fewest digits a number may have.</summary>
    /// <value>The default is 12.</value>
    public int MinDigits { get; set; } = 12;
}

/// <summary>
/// A custom quality rule: the column's text is a number whose last digit is its Luhn check digit (card numbers, IMEIs).
/// Registered as <c>services.AddIngestRule&lt;LuhnRule&gt;("luhn")</c>; used as
/// <c>{"type": "luhn", "column": "card_number", "options": {"allowSpaces": true}}</c>.
/// </summary>
public sealed class LuhnRule : IQualityRule
{
    private readonly LuhnOptions _options;

    /// <summary>Creates the rule for one definition entry; refuses settings it cannot honour (reported at the entry's options).</summary>
    public LuhnRule(QualityRuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _options = context.GetOptions<LuhnOptions>();
        if (_options.MinDigits is < 2 or > 64)
        {
            throw new ArgumentException($"minDigits {_options.MinDigits} is out of range: expected 2 to 64.");
        }

        if (context.Columns is not [{ Type.Kind: ColumnKind.String }])
        {
            throw new ArgumentException($"luhn checks one text column; {string.Join(", ", context.Columns.Select(c => $"'{c.Name}' is {c.Type}"))}.");
        }
    }

    /// <inheritdoc />
    public string? Check(QualityRuleRow row)
    {
        var text = row.Get<string>(0);
        var sum = 0;
        var digits = 0;
        for (var i = text.Length - 1; i >= 0; i--)
        {
            var c = text[i];
            if (c == ' ' && _options.AllowSpaces)
            {
                continue;
            }

            if (!char.IsAsciiDigit(c))
            {
                return $"\"{text}\" holds '{c}', which is not a digit{(_options.AllowSpaces ? " or a space" : string.Empty)}";
            }

            var d = c - '0';
            if (digits++ % 2 == 1)
            {
                d = d * 2 > 9 ? (d * 2) - 9 : d * 2;
            }

            sum += d;
        }

        return digits < _options.MinDigits
            ? $"\"{text}\" has {digits} digits, fewer than {_options.MinDigits}"
            : sum % 10 == 0 ? null : $"\"{text}\" fails the Luhn check digit";
    }
}
