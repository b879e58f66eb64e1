using System.Globalization;
using Ingest.Definitions;
using Ingest.Quality;
using Ingest.Sources;

namespace Ingest.Tests.Engine.Extensions;

/// <summary>The settings of <see cref="MultipleOfRule"/>.</summary>
internal sealed class MultipleOfOptions
{
    public long Of { get; set; } = 2;
}

/// <summary>A custom rule for the tests: the number is a multiple of <c>options.of</c>. Counts its calls and what it saw.</summary>
internal sealed class MultipleOfRule : IQualityRule
{
    private readonly long _of;

    public MultipleOfRule(QualityRuleContext context)
    {
        _of = context.GetOptions<MultipleOfOptions>().Of;
        if (_of < 1)
        {
            throw new ArgumentException($"of must be 1 or more, not {_of}.");
        }
    }

    public int Calls { get; private set; }

    public int? Width { get; private set; }

    public string? Check(QualityRuleRow row)
    {
        Calls++;
        Width = row.Count;
        var value = row.Get<long>(0);
        return value % _of == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{value} is not a multiple of {_of}");
    }
}

/// <summary>The settings of <see cref="PipeLinesReader"/>: the field separator (one character).</summary>
internal sealed class PipeLinesOptions
{
    public string Separator { get; set; } = "|";
}

/// <summary>
/// A custom format for the tests: lines of <c>|</c>-separated fields (or <c>options.separator</c>), the first line naming
/// them; a line with a different number of fields is rejected whole. <see cref="Positions"/> can replace the line numbers
/// (to break the contract). Checks its options when a definition is registered (a separator of one character).
/// </summary>
internal sealed class PipeLinesReader(SourceReaderContext context) : ISourceReader, ISourceOptionsValidator
{
    private readonly PipeLinesOptions _options = context.GetOptions<PipeLinesOptions>();
    private TextReader? _text;
    private long _line;
    private int _width;

    public IEnumerable<SourceOptionsProblem> ValidateOptions()
        => _options.Separator.Length == 1 ? [] : [new SourceOptionsProblem("separator", context.GetOptionText("separator"), "one character")];

    public Func<long, long>? Positions { get; init; }

    public async ValueTask<IReadOnlyList<string>> OpenAsync(CancellationToken cancellationToken)
    {
        _text = await context.OpenTextAsync(cancellationToken);
        var header = await _text.ReadLineAsync(cancellationToken) ?? string.Empty;
        _line = 1;
        var names = header.Split(_options.Separator[0]);
        _width = names.Length;
        return names;
    }

    public async ValueTask<bool> ReadAsync(SourceRecordBuilder record, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (await _text!.ReadLineAsync(cancellationToken) is not { } line)
        {
            return false;
        }

        _line++;
        record.Position = Positions?.Invoke(_line) ?? _line;
        var fields = line.Split(_options.Separator[0]);
        if (fields.Length != _width)
        {
            record.Reject(string.Create(CultureInfo.InvariantCulture, $"{fields.Length} fields, the header names {_width}"), line);
            return true;
        }

        foreach (var field in fields)
        {
            record.Add(field.AsSpan());
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _text?.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A custom rule that takes any options and passes every row (for documents that need a registered name).</summary>
internal sealed class StartsWithRule : IQualityRule
{
    public string? Check(QualityRuleRow row) => null;
}

internal static class TestExtensions
{
    public static IngestExtensions Both(Func<long, long>? positions = null, List<MultipleOfRule>? created = null) => new IngestExtensionsBuilder()
        .AddQualityRule("multiple-of", context =>
        {
            var rule = new MultipleOfRule(context);
            created?.Add(rule);
            return rule;
        })
        .AddSourceFormat("pipe-lines", context => new PipeLinesReader(context) { Positions = positions })
        .Build();

    public static DatasetDefinition Definition(DatasetId id, string format = "csv", RuleAction action = RuleAction.Reject, string? options = null) => new()
    {
        Id = id,
        Source = new SourceDefinition { Format = new SourceFormat(format) },
        Columns =
        [
            new ColumnDefinition { Name = "id", Type = ColumnType.Int64, Nullable = false },
            new ColumnDefinition { Name = "name", Type = ColumnType.String },
            new ColumnDefinition { Name = "n", Type = ColumnType.Int64 },
            new ColumnDefinition { Name = "amount", Type = ColumnType.Decimal(18, 2) },
        ],
        Quality = new QualitySettings
        {
            MaxRejectRatio = 1,
            Rules =
            [
                new QualityRule
                {
                    Type = new QualityRuleType("multiple-of"),
                    Column = "n",
                    Action = action,
                    Options = System.Text.Json.JsonDocument.Parse(options ?? """{"of": 3}""").RootElement.Clone(),
                },
            ],
        },
        Table = new TableSettings { Format = TableFormat.Hive },
    };
}
