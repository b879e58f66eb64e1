using Ingest.Definitions;
using Ingest.Storage;

namespace Ingest.Tests.Storage;

public sealed class DatasetLayoutTests
{
    private static readonly DatasetId Orders = DatasetId.Parse("sales.orders");

    private static DatasetDefinition Definition(params PartitionField[] partitioning) => new()
    {
        Id = Orders,
        Source = new SourceDefinition { Format = SourceFormat.Csv },
        Columns =
        [
            new() { Name = "order_id", Type = ColumnType.Int64, Nullable = false },
            new() { Name = "country", Type = ColumnType.String },
            new() { Name = "ordered_at", Type = ColumnType.Timestamp },
            new() { Name = "order_date", Type = ColumnType.Date },
            new() { Name = "amount", Type = ColumnType.Decimal(18, 2) },
        ],
        Partitioning = partitioning,
    };

    [Fact]
    public void DatasetPrefix_Id_IsDomainSlashName()
        => DatasetLayout.DatasetPrefix(Orders).Should().Be("sales/orders/");

    [Fact]
    public void StagingPrefix_Run_IsUnderStagingRootNotUnderDatasetPrefix()
    {
        var staging = DatasetLayout.StagingPrefix(Orders, "run-42");

        staging.Should().Be("_staging/sales/orders/run-42/");
        staging.Should().StartWith(DatasetLayout.StagingDatasetPrefix(Orders));
        staging.Should().NotStartWith(DatasetLayout.DatasetPrefix(Orders));
        LakeKeys.IsValid(staging, allowPrefix: true).Should().BeTrue();
    }

    [Fact]
    public void StagingRoot_IsNotAValidDomain_SoNoDatasetPrefixCanContainIt()
    {
        Identifier.IsValid(DatasetLayout.StagingRoot).Should().BeFalse();
        DatasetLayout.StagingDatasetPrefix(Orders).Should().Be("_staging/sales/orders/");
    }

    [Fact]
    public void CuratedFileColumns_Unpartitioned_AreSchemaThenLineage()
    {
        var columns = DatasetLayout.CuratedFileColumns(Definition());

        columns.Select(c => c.Name).Should().Equal(
            "order_id", "country", "ordered_at", "order_date", "amount", "_ingest_run_id", "_source_file", "_source_line", "_ingested_at");
    }

    [Fact]
    public void CuratedFileColumns_IdentityPartition_MovesColumnOutOfFiles()
    {
        var columns = DatasetLayout.CuratedFileColumns(Definition(new PartitionField { Column = "country" }));

        columns.Select(c => c.Name).Should().NotContain("country").And.StartWith(["order_id", "ordered_at"]);
        columns.Should().HaveCount(4 + DatasetLayout.LineageColumns.Count);
    }

    [Fact]
    public void CuratedFileColumns_TransformPartition_KeepsSourceColumn()
    {
        var columns = DatasetLayout.CuratedFileColumns(Definition(new PartitionField { Column = "ordered_at", Transform = PartitionTransform.Day }));

        columns.Select(c => c.Name).Should().Contain("ordered_at").And.NotContain("ordered_at_day");
    }

    [Fact]
    public void LineageColumns_AreRequiredAndTyped()
    {
        DatasetLayout.LineageColumns.Select(c => (c.Name, c.Type.ToString(), c.Nullable)).Should().Equal(
            ("_ingest_run_id", "string", false),
            ("_source_file", "string", false),
            ("_source_line", "int64", false),
            ("_ingested_at", "timestamp", false));
        DatasetLayout.LineageColumns.Should().OnlyContain(c => !Identifier.IsValid(c.Name), "a leading underscore cannot clash with a schema column");
    }

    [Fact]
    public void PartitionColumns_EachTransform_HasNameAndType()
    {
        var definition = Definition(
            new PartitionField { Transform = PartitionTransform.IngestDate },
            new PartitionField { Column = "ordered_at", Transform = PartitionTransform.Year },
            new PartitionField { Column = "ordered_at", Transform = PartitionTransform.Month },
            new PartitionField { Column = "order_date", Transform = PartitionTransform.Day, Name = "day" },
            new PartitionField { Column = "country" },
            new PartitionField { Column = "order_id" });

        var columns = DatasetLayout.PartitionColumns(definition);

        columns.Select(c => (c.Name, c.Type.ToString())).Should().Equal(
            ("ingest_date", "date"),
            ("ordered_at_year", "int32"),
            ("ordered_at_month", "string"),
            ("day", "date"),
            ("country", "string"),
            ("order_id", "int64"));
        columns.Should().OnlyContain(c => !c.Nullable);
        columns[1].Description.Should().Be("year(ordered_at)");
    }

    [Fact]
    public void QuarantineFileColumns_AreSourceColumnsAsNullableStringsThenMetadata()
    {
        var columns = DatasetLayout.QuarantineFileColumns(Definition());

        columns.Take(5).Should().OnlyContain(c => c.Type == ColumnType.String && c.Nullable);
        columns.Skip(5).Select(c => c.Name).Should().Equal("_reason", "_raw_record", "_ingest_run_id", "_source_file", "_source_line", "_ingested_at");
        columns.Select(c => c.Name).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void CuratedFileColumns_Null_Throws()
    {
        var act = () => DatasetLayout.CuratedFileColumns(null!);

        act.Should().Throw<ArgumentNullException>();
    }
}
