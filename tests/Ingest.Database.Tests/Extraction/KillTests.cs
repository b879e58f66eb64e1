using System.Diagnostics;
using System.Text;
using Ingest.Tests.Shared;
using Ingest.Database.Tests.Infrastructure;
using Ingest.Ledger;

namespace Ingest.Database.Tests.Extraction;

/// <summary>
/// <c>ingest run</c> of a PostgreSQL source killed mid-way (process tree, no clean-up): nothing is published, no watermark is
/// committed, and the next run takes over, extracts the same window plus what changed meanwhile, and the lake holds every row once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class KillTests(PostgresServer postgres) : IDisposable
{
    private const int Rows = 400_000;

    private readonly LakeHarness _lake = new();

    public void Dispose() => _lake.Dispose();

    [Fact]
    public async Task Run_KilledAfterExtracting_PublishesNothing_AndTheNextRunRecoversExactly()
    {
        var db = await postgres.CreateDatabaseAsync();
        await PostgresServer.ExecuteAsync(db, Orders.CreateTable + Orders.Insert(1, Rows));
        await _lake.RegisterAsync(Orders.Definition());
        var rawStaging = Path.Combine(_lake.LakeFolder, "raw", "_staging");

        var output = new StringBuilder();
        int killed;
        using (var process = CliProcess.Start(output, new Dictionary<string, string> { ["INGEST_ConnectionStrings__" + Orders.Connection] = db }, "--home", _lake.Root, "run", Orders.Dataset))
        {
            killed = process.Id;
            var staged = await CliProcess.WaitForAsync(() => AnyFile(rawStaging) || process.HasExited, TimeSpan.FromMinutes(2));
            process.HasExited.Should().BeFalse($"the run should still be going when it is killed:{Environment.NewLine}{output}");
            staged.Should().BeTrue();
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _lake.Files("curated").Should().BeEmpty("a killed run publishes nothing");
        (await _lake.WatermarkAsync(Orders.Dataset, Orders.WatermarkKey)).Should().BeNull("a killed run commits no watermark");

        await PostgresServer.ExecuteAsync(db, Orders.Insert(Rows + 1, Rows + 1000) + "UPDATE sales.orders SET amount = 0, updated_at = updated_at + interval '1 day' WHERE order_id % 1000 = 0;");
        var next = await _lake.Pipeline(Orders.Dataset, LakeHarness.Options((Orders.Connection, db))).ExtractAndRunAsync();

        next.Run.RowsRead.Should().Be(Rows + 1000);
        (await _lake.ScalarAsync("select count(*) from onprem.orders")).Should().Be((long)Rows + 1000);
        (await _lake.ScalarAsync("select count(distinct order_id) from onprem.orders")).Should().Be((long)Rows + 1000);
        (await _lake.ScalarAsync("select count(*) from onprem.orders where amount = 0")).Should().Be((long)(Rows + 1000) / 1000);
        var runs = await _lake.RunsAsync(Orders.Dataset);
        runs.Select(r => r.Status).Should().BeEquivalentTo([RunStatus.Failed, RunStatus.Succeeded], "the dead run is recorded as failed");
        Directory.EnumerateFiles(rawStaging, "*", SearchOption.AllDirectories).Should().BeEmpty("the dead run's staging is cleaned up");
        _lake.Files("raw").Should().ContainSingle("only the recovering run's extract is kept");
        var extracts = Path.Combine(Path.GetTempPath(), "ingest-extracts");
        Directory.EnumerateFiles(extracts, $"{killed}-*").Should().BeEmpty("the next run deletes the temporary extract of the dead process");
    }



    private static bool AnyFile(string folder)
        => Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Any();
}
