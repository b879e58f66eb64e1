using Ingest.Definitions;
using Ingest.Testing;

namespace Ingest.Tests.Engine.Validation;

public sealed class QualityRuleSetTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<DatasetId> RegisterAsync(params QualityRule[] rules)
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with { Quality = new QualitySettings { MaxRejectRatio = 1, Rules = rules } });
        return id;
    }

    [Fact]
    public async Task Unique_SameDecimalWrittenWithAnotherScale_IsADuplicate()
    {
        var id = await RegisterAsync(new QualityRule { Type = QualityRuleType.Unique, Column = "amount" });

        var result = await _h.RunAsync(id, EngineHarness.Text("u.csv", "id,customer,amount,qty\n1,a,1.5,1\n2,b,1.50,1\n3,c,2,1\n4,d,2.00,1\n"));

        result.Run.RowsWritten.Should().Be(2, "1.5 = 1.50 and 2 = 2.00 as decimal(18,2) values");
        (await _h.QueryAsync(id, "SELECT _source_line FROM {quarantine} ORDER BY 1")).Select(r => (long)r[0]!).Should().Equal(3, 5);
    }
}
