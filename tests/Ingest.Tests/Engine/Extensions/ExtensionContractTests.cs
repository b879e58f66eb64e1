using System.Text;
using Ingest.Definitions;
using Ingest.Quality;
using Ingest.Sources;
using Ingest.Testing;

namespace Ingest.Tests.Engine.Extensions;

/// <summary>The test rule passes the contract suite that every custom rule must pass.</summary>
public sealed class MultipleOfRuleContractTests : QualityRuleContractTests
{
    protected override string RuleType => "multiple-of";

    protected override DatasetDefinition Definition => TestExtensions.Definition(IngestTestData.NewDatasetId());

    protected override IReadOnlyList<object[]> PassingRows => [[3L], [0L], [-9L]];

    protected override IReadOnlyList<object[]> FailingRows => [[4L], [long.MaxValue]];

    protected override string CsvWithOnePassingAndOneFailingRow => "id,name,n,amount\n1,a,6,1.00\n2,b,7,1.00\n";

    protected override IQualityRule CreateRule(QualityRuleContext context) => new MultipleOfRule(context);
}

/// <summary>The test reader passes the contract suite that every custom reader must pass.</summary>
public sealed class PipeLinesReaderContractTests : SourceReaderContractTests
{
    protected override string Format => "pipe-lines";

    protected override DatasetDefinition Definition => TestExtensions.Definition(IngestTestData.NewDatasetId(), format: "pipe-lines") with { Quality = new QualitySettings() };

    protected override byte[] Input => Encoding.UTF8.GetBytes("id|name|n|amount\n1|Zoë|3|1.50\n2|Bo\n3||6|\n");

    protected override IReadOnlyList<ExpectedSourceRecord> ExpectedRecords =>
    [
        new(2, ["1", "Zoë", "3", "1.50"]),
        new(3, null, "2|Bo"),
        new(4, ["3", "", "6", ""]),
    ];

    protected override ISourceReader CreateReader(SourceReaderContext context) => new PipeLinesReader(context);
}
