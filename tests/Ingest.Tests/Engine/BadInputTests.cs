using System.Text;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Testing;

namespace Ingest.Tests.Engine;

public sealed class BadInputTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task RunAsync_ParquetDatasetGivenACsvFile_FailsWithTheFileNameAndPublishesNothing()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with { Source = new SourceDefinition { Format = SourceFormat.Parquet } });

        var act = () => _h.RunAsync(id, EngineHarness.Text("orders.parquet", "id,customer,amount,qty\n1,a,1.00,1\n"));

        var error = (await act.Should().ThrowAsync<DataValidationException>()).Which;
        error.Message.Should().StartWith("orders.parquet: not a readable Parquet file");
        error.Location.Should().Be("orders.parquet");
        _h.Lake.Objects.Should().BeEmpty();
        (await _h.Backends.Ledger.ListRunsAsync(id).SingleAsync()).Status.Should().Be(RunStatus.Failed);
    }

    [Fact]
    public async Task RunAsync_InputThatCannotBeOpened_FailsNamingTheInput()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var unreadable = IngestInput.FromStream("locked.csv", _ => throw new UnauthorizedAccessException("Access to the path is denied."));

        var act = () => _h.RunAsync(id, unreadable);

        var error = (await act.Should().ThrowAsync<DataValidationException>()).Which;
        error.Message.Should().Be("locked.csv: cannot be read (Access to the path is denied.).");
        _h.Lake.Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_EmptyCsvWithHeaderExpected_FailsWithAnActionableMessage()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));

        var act = () => _h.RunAsync(id, EngineHarness.Bytes("empty.csv", []));

        (await act.Should().ThrowAsync<DataValidationException>()).Which.Message
            .Should().Be("empty.csv: the file is empty but the definition expects a header line.");
        _h.Lake.Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_UnclosedQuoteAtEndOfFile_QuarantinesTheRecordWithItsLine()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with { Quality = new QualitySettings { MaxRejectRatio = 1 } });

        var result = await _h.RunAsync(id, EngineHarness.Bytes("q.csv", Encoding.UTF8.GetBytes("id,customer,amount,qty\n1,a,1.00,1\n2,\"never closed,1.00,1\n")));

        result.Run.RowsWritten.Should().Be(1);
        result.Run.RowsRejected.Should().Be(1);
        var reject = (await _h.QueryAsync(id, "SELECT _reason, _source_line FROM {quarantine}")).Single();
        reject[0].Should().Be("a quoted field opened on line 3 is never closed");
        reject[1].Should().Be(3L);
    }
}
