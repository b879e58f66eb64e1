using Ingest.Definitions;
using Ingest.Engine.Conversion;
using Ingest.Engine.Writing;
using Ingest.Testing;

namespace Ingest.Tests.Engine.Writing;

public sealed class PartitionerTests
{
    private static readonly DateOnly IngestDate = new(2024, 6, 1);

    public static TheoryData<PartitionTransform, string, string> Temporal => new()
    {
        { PartitionTransform.Day, "2024-05-01T23:59:59.999999Z", "2024-05-01" },
        { PartitionTransform.Day, "1969-12-31T23:59:59.999999Z", "1969-12-31" },
        { PartitionTransform.Day, "0001-01-01T00:00:00Z", "0001-01-01" },
        { PartitionTransform.Month, "1969-12-31T00:00:00Z", "1969-12" },
        { PartitionTransform.Year, "9999-12-31T23:59:59.999999Z", "9999" },
    };

    [Theory]
    [MemberData(nameof(Temporal))]
    public void TryGetPath_PhysicalTimestampsAndDates_GiveTheFoldersOfTheirObjects(PartitionTransform transform, string instant, string folder)
    {
        var timestamp = DateTime.Parse(instant, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        foreach (var (type, value, bits) in new[]
        {
            (ColumnType.Timestamp, (object)timestamp, PhysicalValue.FromTimestamp(timestamp)),
            (ColumnType.Date, DateOnly.FromDateTime(timestamp), PhysicalValue.FromDate(DateOnly.FromDateTime(timestamp))),
        })
        {
            var fromObject = Create(transform, type).TryGetPath([value], null, out var error);
            var physical = Create(transform, type);
            var fromBits = physical.TryGetPath([PhysicalValue.InBits], [bits], out _);

            error.Should().BeNull();
            fromObject.Should().Be($"at={folder}/", $"{type} {instant}");
            fromBits.Should().Be(fromObject, $"{type} {instant} from its physical form");
            physical.TryGetPath([PhysicalValue.InBits], [bits], out _).Should().BeSameAs(fromBits, "the same folder again is reused");
        }
    }

    [Fact]
    public void TryGetPath_OnlyTheIngestDate_IsTheRunsDate()
    {
        var definition = IngestTestData.Definition(IngestTestData.NewDatasetId("sales"), IngestTestData.Column("id", ColumnType.Int64, false)) with
        {
            Partitioning = [new PartitionField { Transform = PartitionTransform.IngestDate }],
        };

        new Partitioner(definition, IngestDate).TryGetPath([1L], null, out var error).Should().Be("ingest_date=2024-06-01/");
        error.Should().BeNull();
    }

    [Fact]
    public void ReadsPhysical_OnlyDaysMonthsAndYearsOfDatesAndTimestamps()
    {
        Partitioner.ReadsPhysical(new PartitionField { Column = "t", Transform = PartitionTransform.Day }, ColumnType.Timestamp).Should().BeTrue();
        Partitioner.ReadsPhysical(new PartitionField { Column = "d", Transform = PartitionTransform.Year }, ColumnType.Date).Should().BeTrue();
        Partitioner.ReadsPhysical(new PartitionField { Column = "t", Transform = PartitionTransform.Identity }, ColumnType.Timestamp).Should().BeFalse();
        Partitioner.ReadsPhysical(new PartitionField { Column = "c", Transform = PartitionTransform.Identity }, ColumnType.String).Should().BeFalse();
    }

    private static Partitioner Create(PartitionTransform transform, ColumnType type)
    {
        var definition = IngestTestData.Definition(IngestTestData.NewDatasetId("sales"), IngestTestData.Column("t", type, false)) with
        {
            Partitioning = [new PartitionField { Column = "t", Transform = transform, Name = "at" }],
        };
        return new Partitioner(definition, IngestDate);
    }
}
