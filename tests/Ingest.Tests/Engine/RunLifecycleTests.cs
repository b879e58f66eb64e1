using System.Text;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Storage;
using Ingest.Testing;

namespace Ingest.Tests.Engine;

public sealed class RunLifecycleTests : IDisposable
{
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static string Csv(int from, int count, Func<int, string>? amount = null)
    {
        var b = new StringBuilder("id,customer,amount,qty\n");
        for (var i = from; i < from + count; i++)
        {
            b.Append(i).Append(",c").Append(i % 7).Append(',').Append(amount?.Invoke(i) ?? $"{i}.25").Append(',').Append(i % 5).Append('\n');
        }

        return b.ToString();
    }

    [Fact]
    public async Task RunAsync_SameFileTwice_SecondIsANoOpUnlessForced()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var csv = Csv(1, 100);

        var first = await _h.RunAsync(id, EngineHarness.Text("a.csv", csv));
        var second = await _h.RunAsync(id, EngineHarness.Text("a-renamed.csv", csv));
        var forced = await _h.RunAsync(id, new IngestRunOptions { Force = true }, EngineHarness.Text("a.csv", csv));

        first.Run.Status.Should().Be(RunStatus.Succeeded);
        second.IsNoOp.Should().BeTrue();
        second.Run.RowsRead.Should().Be(0);
        second.Run.Sources.Single().Skipped.Should().BeTrue();
        second.Run.Sources.Single().RunId.Should().Be(first.Run.RunId);
        forced.Run.RowsWritten.Should().Be(100);
        (await _h.ScalarAsync(id, "SELECT count(*) FROM {curated}")).Should().Be(200L);
        // The raw zone keeps the bytes each run read, under that run's id: the skipped run kept none.
        _h.Keys(LakeZone.Raw).Order(StringComparer.Ordinal).Should().Equal(
            new[] { first.Run.Sources.Single().RawKey, forced.Run.Sources.Single().RawKey }.Order(StringComparer.Ordinal));
        _h.Keys(LakeZone.Raw).Should().OnlyContain(k => System.Text.RegularExpressions.Regex.IsMatch(k, @"^sales/d[0-9a-f]+/ingest_date=\d{4}-\d{2}-\d{2}/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}/a\.csv$"));
        second.Run.Sources.Single().RawKey.Should().Be(first.Run.Sources.Single().RawKey, "a skipped input points at the copy of the run that ingested it");
        var runs = await _h.Backends.Ledger.ListRunsAsync(id).ToListAsync();
        runs.Select(r => r.Status).Should().Equal(RunStatus.Succeeded, RunStatus.Skipped, RunStatus.Succeeded);
    }

    [Fact]
    public async Task RunAsync_RawZone_KeepsTheInputByteForByte()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var bytes = Encoding.UTF8.GetBytes(Csv(1, 10));

        var result = await _h.RunAsync(id, EngineHarness.Bytes("in.csv", bytes));

        var raw = result.Run.Sources.Single();
        await using var stream = await _h.Lake.OpenReadAsync(LakeZone.Raw, raw.RawKey);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        copy.ToArray().Should().Equal(bytes);
        raw.Sha256.Should().Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    [Fact]
    public async Task RunAsync_InputThatChangesAfterItWasCopied_IngestsExactlyTheFingerprintedBytes()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var opens = 0;

        // An on-premise export still being appended to: every open sees more rows.
        var growing = IngestInput.FromStream("export.csv", _ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(Csv(1, 10 * ++opens)))));

        var result = await _h.RunAsync(id, growing);

        var raw = result.Run.Sources.Single();
        await using var stream = await _h.Lake.OpenReadAsync(LakeZone.Raw, raw.RawKey);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        var rawRows = Encoding.UTF8.GetString(copy.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
        result.Run.RowsRead.Should().Be(rawRows, "the curated rows must come from the bytes kept in the raw zone under their SHA-256");
        (await _h.ScalarAsync(id, "SELECT count(*) FROM {curated}")).Should().Be((long)rawRows);
    }

    [Fact]
    public async Task RunAsync_RejectRatioAboveBudget_FailsAndPublishesNothing()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with { Quality = new QualitySettings { MaxRejectRatio = 0.1 } });
        await _h.RunAsync(id, EngineHarness.Text("good.csv", Csv(1, 10)));
        var before = _h.Lake.Objects.Select(o => o.Key).ToList();

        var act = () => _h.RunAsync(id, EngineHarness.Text("bad.csv", Csv(100, 10, i => i % 2 == 0 ? "oops" : "1.00")));

        var error = (await act.Should().ThrowAsync<DataValidationException>()).Which;
        error.Message.Should().Contain("5 of 10 rows were rejected").And.Contain("maxRejectRatio").And.Contain("amount: not a decimal(18,2) (5)");
        var failed = await _h.Backends.Ledger.ListRunsAsync(id).FirstAsync();
        failed.Status.Should().Be(RunStatus.Failed);

        // Nothing is published; the rejects alone are kept, apart from the quarantine table.
        var kept = DatasetLayout.FailedRunRejectsPrefix(id, failed.RunId);
        _h.Lake.Objects.Select(o => o.Key).Except(before).Should().NotBeEmpty().And.OnlyContain(key => key.StartsWith(kept, StringComparison.Ordinal));
        before.Should().BeSubsetOf(_h.Lake.Objects.Select(o => o.Key));
        _h.Keys(LakeZone.Quarantine).Should().OnlyContain(key => key.StartsWith(kept, StringComparison.Ordinal), "no reject is under the quarantine table's prefix");
        (await _h.ScalarAsync(id, "SELECT count(*) FROM {curated}")).Should().Be(10L);
        var rejects = await RunRejects.ReadAsync(_h.Lake, failed).ToListAsync();
        rejects.Select(r => r.SourceLine).Should().Equal(2L, 4L, 6L, 8L, 10L);
        rejects.Should().OnlyContain(r => r.SourceFile == "bad.csv" && r.Values["amount"] == "oops" && r.Reason.StartsWith("amount: \"oops\"", StringComparison.Ordinal));
        (await _h.Backends.Ledger.FindSourceAsync(id, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Csv(100, 10, i => i % 2 == 0 ? "oops" : "1.00"))))))
            .Should().BeNull("a failed run must not mark its input as ingested");
    }

    [Fact]
    public async Task RunAsync_FailingRule_StopsTheRunWithFileLineColumnAndValue()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with
        {
            Quality = new QualitySettings { Rules = [new QualityRule { Type = QualityRuleType.Range, Column = "qty", Min = "0", Max = "3", Action = RuleAction.Fail }] },
        });

        var act = () => _h.RunAsync(id, EngineHarness.Text("q.csv", Csv(1, 10)));

        var error = (await act.Should().ThrowAsync<DataValidationException>()).Which;
        error.Message.Should().Be($"q.csv line 5, column \"qty\": rule range(qty): \"4\" is outside [0, 3]; the rule's action is fail, so the run of {id} stops and publishes nothing.");
        error.Line.Should().Be(5);
        error.Column.Should().Be("qty");
        _h.Lake.Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_RejectingRules_QuarantineRowsWithTheRuleName()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with
        {
            Quality = new QualitySettings
            {
                MaxRejectRatio = 1,
                Rules =
                [
                    new QualityRule { Type = QualityRuleType.NotNull, Column = "customer" },
                    new QualityRule { Type = QualityRuleType.Regex, Column = "customer", Pattern = "c[0-5]" },
                    new QualityRule { Type = QualityRuleType.AllowedValues, Column = "qty", Values = ["0", "1", "2", "3"] },
                    new QualityRule { Type = QualityRuleType.Unique, Columns = ["customer", "qty"] },
                ],
            },
        });
        const string csv = "id,customer,amount,qty\n1,c1,1.00,1\n2,,1.00,1\n3,c9,1.00,1\n4,c2,1.00,4\n5,c1,2.00,1\n";

        var result = await _h.RunAsync(id, EngineHarness.Text("r.csv", csv));

        result.Run.RowsWritten.Should().Be(1);
        var reasons = (await _h.QueryAsync(id, "SELECT _reason FROM {quarantine} ORDER BY _source_line")).Select(r => (string)r[0]!).ToList();
        reasons.Should().Equal(
            "not-null(customer): the value is missing",
            "regex(customer): \"c9\" does not match /c[0-5]/",
            "allowed-values(qty): \"4\" is not one of 0, 1, 2, 3",
            "unique(customer,qty): (\"c1\", \"1\") repeats a value seen earlier in this run");
    }

    [Fact]
    public async Task RunAsync_WhileAnotherLiveRunHoldsTheLease_IsRefusedWithTheHolder()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var holder = new LeaseOwner("other-run", Environment.MachineName, Environment.ProcessId);
        (await _h.Backends.Ledger.TryAcquireLeaseAsync(id, holder, TimeSpan.FromMinutes(5))).Acquired.Should().BeTrue();

        var act = () => _h.RunAsync(id, EngineHarness.Text("a.csv", Csv(1, 5)));

        var error = (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which;
        error.Message.Should().Contain($"Dataset {id} is being ingested by run other-run");
        _h.Lake.Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_LeaseOfADeadProcessOnThisHost_IsTakenOver()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        var dead = new LeaseOwner("dead-run", Environment.MachineName, int.MaxValue - 7);
        (await _h.Backends.Ledger.TryAcquireLeaseAsync(id, dead, TimeSpan.FromHours(1))).Acquired.Should().BeTrue();

        var result = await _h.RunAsync(id, EngineHarness.Text("a.csv", Csv(1, 5)));

        result.Run.Status.Should().Be(RunStatus.Succeeded);
    }

    [Fact]
    public async Task RunAsync_CrashWhileWriting_LeavesNothingVisibleAndTheNextRunIsExact()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with { Partitioning = [new PartitionField { Column = "qty" }] });
        var faulty = new FaultyLake(_h.Backends.Lake) { FailCompleteAfter = 3 };
        var crashing = new IngestPipelineBuilder(_h.Backends with { Lake = faulty }).ForDataset(id).Build();

        var act = () => crashing.RunAsync([EngineHarness.Text("a.csv", Csv(1, 1000))]);
        await act.Should().ThrowAsync<IOException>();

        _h.Keys(LakeZone.Curated).Should().BeEmpty();
        var result = await _h.RunAsync(id, EngineHarness.Text("a.csv", Csv(1, 1000)));
        result.Run.RowsWritten.Should().Be(1000);
        (await _h.ScalarAsync(id, "SELECT count(*) FROM {curated}")).Should().Be(1000L);
        _h.Lake.Objects.Should().NotContain(o => o.Key.StartsWith(DatasetLayout.StagingRoot, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ManifestWriteFails_RecordsAFailedRunAndRemovesItsStaging()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));

        // Completes: the raw copy, the one curated file, then the manifest, which fails: the commit point is never reached.
        var faulty = new FaultyLake(_h.Backends.Lake) { FailCompleteAfter = 2 };
        var pipeline = new IngestPipelineBuilder(_h.Backends with { Lake = faulty }).ForDataset(id).Build();

        var act = () => pipeline.RunAsync([EngineHarness.Text("a.csv", Csv(1, 10))]);

        await act.Should().ThrowAsync<IOException>();
        faulty.Completes.Should().Be(3, "the failure hit the manifest");
        _h.Lake.Objects.Should().BeEmpty("nothing was committed, and a failed run removes what it staged");
        var run = await _h.Backends.Ledger.ListRunsAsync(id).SingleAsync();
        run.Status.Should().Be(RunStatus.Failed, "the process is alive and knows the run failed");
        run.Error.Should().Contain("simulated crash while writing");
    }

    [Fact]
    public async Task RunAsync_IcebergCrashAfterTheSwap_SaysTheRunIsCommitted_AndTheNextRunCompletesIt()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with { Partitioning = [new PartitionField { Column = "qty" }] });
        var faulty = new FaultyLake(_h.Backends.Lake) { FailPromoteAfter = 0 };
        var crashing = new IngestPipelineBuilder(_h.Backends with { Lake = faulty }).ForDataset(id).Build();
        var csv = Csv(1, 1001, i => i == 1001 ? "not a number" : $"{i}.25");

        // The swap succeeded; promoting the quarantine file (the one bad row) failed: the rows are published, and the error says so.
        var act = () => crashing.RunAsync([EngineHarness.Text("a.csv", csv)]);
        var error = (await act.Should().ThrowAsync<IngestException>()).Which;
        error.Message.Should().Contain("is committed").And.Contain("do not re-run its inputs with --force").And.NotContain("retry");
        error.IsTransient.Should().BeFalse();
        (await _h.ScalarAsync(id, "SELECT count(*) FROM {curated}")).Should().Be(1000L, "readers see the committed snapshot at once");

        // Even forced, the next run completes the committed run instead of ingesting its input again.
        var next = await _h.RunAsync(id, new IngestRunOptions { Force = true }, EngineHarness.Text("a.csv", csv));
        next.IsNoOp.Should().BeTrue("recovery completed the committed run, so its input counts as ingested");
        (await _h.ScalarAsync(id, "SELECT count(*) FROM {curated}")).Should().Be(1000L);
        (await _h.ScalarAsync(id, "SELECT count(*) FROM {quarantine}")).Should().Be(1L, "recovery promoted the rejected row");
        (await _h.Backends.Ledger.ListRunsAsync(id).CountAsync(r => r.Status == RunStatus.Succeeded)).Should().Be(1);
        _h.Lake.Objects.Should().NotContain(o => o.Key.StartsWith(DatasetLayout.StagingRoot, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_CrashAfterTheCommitPoint_IsRolledForwardByTheNextRun()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id) with { Table = new TableSettings { Format = TableFormat.Hive }, Partitioning = [new PartitionField { Column = "qty" }] });
        var faulty = new FaultyLake(_h.Backends.Lake) { FailPromoteAfter = 2 };
        var crashing = new IngestPipelineBuilder(_h.Backends with { Lake = faulty }).ForDataset(id).Build();

        var act = () => crashing.RunAsync([EngineHarness.Text("a.csv", Csv(1, 1000))]);
        (await act.Should().ThrowAsync<IngestException>()).Which.Message.Should().Contain("is committed", "an error past the commit point never says retry");
        var crashed = await _h.Backends.Ledger.ListRunsAsync(id).SingleAsync();
        crashed.Status.Should().Be(RunStatus.Running, "the process 'died' after the commit point, before the ledger");

        var next = await _h.RunAsync(id, EngineHarness.Text("a.csv", Csv(1, 1000)));

        next.IsNoOp.Should().BeTrue("recovery completed the committed run, so its input counts as ingested");
        (await _h.ScalarAsync(id, "SELECT count(*) FROM {curated}")).Should().Be(1000L);
        (await _h.Backends.Ledger.GetRunAsync(id, crashed.RunId))!.Status.Should().Be(RunStatus.Succeeded);
        _h.Lake.Objects.Should().NotContain(o => o.Key.StartsWith(DatasetLayout.StagingRoot, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("No space left on device : '/lake/curated/x.parquet'", "the disk is full")]
    [InlineData("Read-only file system : '/lake/curated/x.parquet'", "the lake is read-only")]
    public async Task RunAsync_LakeCannotBeWritten_FailsNamingDatasetLakeAndCause_AndRecordsNothingPublished(string systemError, string problem)
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        // Completes: the raw copy's marker, the raw copy, then the first data file fails.
        var faulty = new FaultyLake(_h.Backends.Lake) { FailCompleteAfter = 2, CompleteError = systemError };
        var pipeline = new IngestPipelineBuilder(_h.Backends with { Lake = faulty }).ForDataset(id).Build();

        var act = () => pipeline.RunAsync([EngineHarness.Text("a.csv", Csv(1, 5000))]);

        var error = (await act.Should().ThrowAsync<LakeEnvironmentException>()).Which;
        error.Message.Should().Be($"Dataset {id}: the lake at memory://curated/ cannot be written: {problem} ({systemError}). Nothing was published; free space or fix the permissions of the lake (or point it elsewhere), then run again.");
        error.Problem.Should().Be(problem);
        error.Dataset.Should().Be(id);
        var run = await _h.Backends.Ledger.ListRunsAsync(id).SingleAsync();
        run.Status.Should().Be(RunStatus.Failed);
        run.RowsWritten.Should().Be(0, "nothing was published");
        run.RowsStaged.Should().Be(5000, "the rows accepted before the failure are recorded apart");
        (await _h.ScalarAsync(id, "SELECT count(*) FROM {curated}")).Should().Be(0L);
    }

    [Fact]
    public async Task RunAsync_Cancelled_RecordsAFailedRunAndPublishesNothing()
    {
        var id = IngestTestData.NewDatasetId("sales");
        await _h.RegisterAsync(IngestTestData.Definition(id));
        using var cts = new CancellationTokenSource();
        var pipeline = new IngestPipelineBuilder(_h.Backends).ForDataset(id)
            .Configure(o => o.ProgressInterval = 100)
            .OnProgress(new SyncProgress(p =>
            {
                if (p.RowsRead >= 500)
                {
                    cts.Cancel();
                }
            }))
            .Build();

        var act = () => pipeline.RunAsync([EngineHarness.Text("a.csv", Csv(1, 5000))], cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        _h.Keys(LakeZone.Curated).Should().BeEmpty();
        _h.Lake.Objects.Should().BeEmpty();
        (await _h.Backends.Ledger.ListRunsAsync(id).SingleAsync()).Status.Should().Be(RunStatus.Failed);
        (await _h.Backends.Ledger.TryAcquireLeaseAsync(id, new LeaseOwner("x", "h", 1), TimeSpan.FromSeconds(5))).Acquired.Should().BeTrue("the lease was released");
    }

    private sealed class SyncProgress(Action<IngestProgress> handler) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => handler(value);
    }
}
