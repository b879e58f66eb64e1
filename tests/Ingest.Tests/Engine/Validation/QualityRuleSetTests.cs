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

    [Fact]
    public async Task Unique_ValueOfARowRejectedLater_DoesNotRejectTheNextRowWithIt()
    {
        var id = await RegisterAsync(
            new QualityRule { Type = QualityRuleType.Unique, Column = "id" },
            new QualityRule { Type = QualityRuleType.Range, Column = "qty", Min = "0" });

        // Line 2 breaks the range rule and goes to quarantine; line 3 is then the only row with id 1.
        var result = await _h.RunAsync(id, EngineHarness.Text("u.csv", "id,customer,amount,qty\n1,a,1.00,-1\n1,b,2.00,1\n1,c,3.00,2\n"));

        result.Run.RowsWritten.Should().Be(1);
        (await _h.QueryAsync(id, "SELECT customer FROM {curated}")).Select(r => r[0]).Should().Equal("b");
        (await _h.QueryAsync(id, "SELECT _source_line, _reason FROM {quarantine} ORDER BY 1")).Select(r => $"{r[0]}|{r[1]}").Should().Equal(
            "2|range(qty): \"-1\" is outside [0, +∞]",
            "4|unique(id): (\"1\") repeats a value seen earlier in this run");
    }
}
