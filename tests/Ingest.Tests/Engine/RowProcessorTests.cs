using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Engine.Conversion;
using Ingest.Engine.Reading;
using Ingest.Testing;

namespace Ingest.Tests.Engine;

/// <summary>
/// Columns converted ahead by the reading task (<see cref="RowProcessor.Prepare"/>) must not change any
/// outcome: for every number of prepared columns a record gives the same values, or the same rejection
/// with the same reason, as when the consumer converts it all.
/// </summary>
public sealed class RowProcessorTests
{
    private static readonly DatasetDefinition Definition = new()
    {
        Id = IngestTestData.NewDatasetId("sales"),
        Source = new SourceDefinition { Format = SourceFormat.Csv, NullMarkers = ["", "NULL"] },
        Columns =
        [
            new() { Name = "id", Type = ColumnType.Int64, Nullable = false },
            new() { Name = "name", Type = ColumnType.String },
            new() { Name = "amount", Type = ColumnType.Decimal(18, 2), Nullable = false },
            new() { Name = "ts", Type = ColumnType.Timestamp },
        ],
    };

    public static TheoryData<string[]> Records => new()
    {
        new[] { "1", "Ada", "10.50", "2024-05-01T10:00:00Z" },
        new[] { "x", "Ada", "10.50", "2024-05-01T10:00:00Z" },
        new[] { "1", "Ada", "", "not a time" },
        new[] { "", "Ada", "abc", "2024-05-01T10:00:00Z" },
        new[] { "2", "NULL", "1.999", "2024-05-01" },
        new[] { "3", "Bo", "7" },
        new[] { "4", "Cy", "7", "2024-05-01T10:00:00Z", "extra" },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void Process_WithAnyNumberOfPreparedColumns_GivesTheSameOutcome(string[] fields)
    {
        var baseline = Outcome(fields, prepared: null);

        for (var prepared = 0; prepared <= Definition.Columns.Count + 1; prepared++)
        {
            Outcome(fields, prepared).Should().Be(baseline, $"{prepared} columns converted ahead");
        }
    }

    [Theory]
    [MemberData(nameof(Records))]
    public void Process_FieldsKeptAsCharacters_GiveTheSameOutcomeAsStrings(string[] fields)
    {
        var fromStrings = Outcome(fields, prepared: null);

        Outcome(fields, prepared: null, spans: true).Should().Be(fromStrings);
        Outcome(fields, prepared: 2, spans: true).Should().Be(fromStrings);
    }

    [Fact]
    public void Prepare_StopsAtTheFirstColumnThatIsNotAValue()
    {
        var rows = Processor();
        var mapping = rows.MapColumns("in.csv", ["id", "name", "amount", "ts"], checkWidth: true);
        var record = Record(["1", "Ada", "abc", "bad"]);

        rows.Prepare(record, mapping, 4);

        record.PreparedCount.Should().Be(2);
        record.PreparedProblemColumn.Should().Be(2);
        record.PreparedProblem.Should().NotBeNullOrEmpty();
        record.Prepared[0].Should().Be(1L);
        record.Prepared[1].Should().Be("Ada");
    }

    private static string Outcome(string[] fields, int? prepared, bool spans = false)
    {
        var rows = Processor();
        var mapping = rows.MapColumns("in.csv", ["id", "name", "amount", "ts"], checkWidth: true);
        var record = Record(fields, spans);
        if (prepared is { } columns)
        {
            rows.Prepare(record, mapping, columns);
        }

        var outcome = rows.Process("in.csv", record, mapping);
        return outcome.Rejection is { } rejection
            ? $"rejected: {rejection.Values[Definition.Columns.Count]} | {rejection.ReasonKey}"
            : $"{outcome.PartitionPath}: {string.Join(" | ", outcome.FileValues!.Select((_, i) => Text(rows.FileValue(outcome, i))))}";
    }

    [Fact]
    public void Process_ColumnsOnlyTheWriterReads_TravelAsPhysicalValues_ColumnsARuleReads_AsObjects()
    {
        var definition = Definition with
        {
            Quality = new QualitySettings { Rules = [new QualityRule { Type = QualityRuleType.Range, Column = "amount", Min = "0" }] },
        };
        var rows = new RowProcessor(definition, "run-1", new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), new DateOnly(2024, 6, 1), []);
        var mapping = rows.MapColumns("in.csv", ["id", "name", "amount", "ts"], checkWidth: true);

        var outcome = rows.Process("in.csv", Record(["12", "Ada", "10.5", "2024-05-01T10:00:00Z"], spans: true), mapping);

        outcome.FileValues![0].Should().BeSameAs(PhysicalValue.InBits);
        outcome.FileBits![0].Should().Be(12);
        outcome.FileValues[1].Should().BeSameAs(PhysicalValue.InBits);
        rows.FileValue(outcome, 1).Should().Be("Ada");
        outcome.FileValues[2].Should().Be(10.5m, "the range rule reads amount as a decimal");
        outcome.FileValues[3].Should().BeSameAs(PhysicalValue.InBits);
        rows.FileValue(outcome, 3).Should().Be(new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc));
        rows.FileValue(outcome, 6).Should().Be(7L, "the source line");

        var withTransform = new RowProcessor(Definition, "run-1", new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), new DateOnly(2024, 6, 1), [_ => { }]);
        var transformed = withTransform.Process("in.csv", Record(["12", "Ada", "10.5", "2024-05-01T10:00:00Z"], spans: true), mapping);
        transformed.FileValues![0].Should().Be(12L, "a transform sees every value as an object");
        transformed.FileValues[3].Should().BeOfType<DateTime>();
    }

    // A value as the Parquet file stores it: 7 and 7.00 are the same decimal(18,2), as are their physical forms.
    private static string Text(object? value) => value switch
    {
        null => "null",
        decimal d => RowProcessor.KeyText(d)!,
        DateTime t => $"{t:O}",
        _ => value.ToString()!,
    };

    private static RowProcessor Processor()
        => new(Definition, "run-1", new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), new DateOnly(2024, 6, 1), []);

    private static SourceRecord Record(string[] fields, bool spans = false)
    {
        var record = new SourceRecord(1); // grows
        record.Reset(7);
        foreach (var field in fields)
        {
            if (spans)
            {
                record.AddSpan(field);
            }
            else
            {
                record.Add(field);
            }
        }

        return record;
    }
}
