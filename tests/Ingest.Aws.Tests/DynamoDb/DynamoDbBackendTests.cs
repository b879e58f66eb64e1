using System.Text;
using Amazon.DynamoDBv2.Model;
using Ingest.Aws.DynamoDb;
using Ingest.Aws.StepFunctions;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Definitions;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Testing;

namespace Ingest.Aws.Tests.DynamoDb;

/// <summary>What the suites do not cover: two processes (two backend instances, two clients), large items, recovery from a writer that stopped half-way.</summary>
[Collection(AwsCollection.Name)]
public sealed class DynamoDbBackendTests(AwsServers servers)
{
    [Fact]
    public async Task RegisterAsync_ConcurrentlyFromTwoInstances_EachVersionHasOneWinner()
    {
        var registries = new[] { AwsIngest.CreateBackends(servers.Options()).Registry, AwsIngest.CreateBackends(servers.Options()).Registry };
        var id = IngestTestData.NewDatasetId();
        var baseline = IngestTestData.Definition(id);
        await registries[0].RegisterAsync(baseline);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                return (Result: (RegisteredDefinition?)await registries[i % 2].RegisterAsync(baseline with { Description = $"candidate {i}" }), Error: (Exception?)null);
            }
            catch (IngestException ex)
            {
                return (Result: (RegisteredDefinition?)null, Error: (Exception?)ex);
            }
        })));

        outcomes.Select(o => o.Error).Where(e => e is not null).Should().AllBeOfType<ConcurrencyConflictException>()
            .And.OnlyContain(e => ((ConcurrencyConflictException)e!).Dataset == id && ((ConcurrencyConflictException)e!).IsTransient);
        var winners = outcomes.Where(o => o.Result is not null).Select(o => o.Result!).ToList();
        winners.Should().NotBeEmpty();
        var versions = await registries[1].ListVersionsAsync(id).ToListAsync();
        versions.Select(v => v.Version).Should().Equal(Enumerable.Range(1, winners.Count + 1));
        foreach (var winner in winners)
        {
            versions.Single(v => v.Version == winner.Version).Fingerprint.Should().Be(winner.Fingerprint);
        }

        (await registries[0].GetAsync(id))!.Version.Should().Be(winners.Count + 1);
    }

    [Fact]
    public async Task TryAcquireLeaseAsync_ConcurrentlyFromTwoInstances_ExactlyOneHoldsIt()
    {
        var ledgers = new[] { AwsIngest.CreateBackends(servers.Options()).Ledger, AwsIngest.CreateBackends(servers.Options()).Ledger };
        var dataset = IngestTestData.NewDatasetId();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            ledgers[i % 2].TryAcquireLeaseAsync(dataset, new LeaseOwner($"run-{i:D2}", $"host-{i % 2}", 100 + i), TimeSpan.FromMinutes(1)))));

        var winner = results.Should().ContainSingle(r => r.Acquired).Which.Current.Owner;
        results.Where(r => !r.Acquired).Should().OnlyContain(r => r.Current.Owner == winner);
        await ledgers[0].ReleaseLeaseAsync(dataset, "run-99");
        (await ledgers[0].TryAcquireLeaseAsync(dataset, new LeaseOwner("run-x", "host-0", 1), TimeSpan.FromMinutes(1))).Acquired
            .Should().BeFalse("only the holder can release");
        await ledgers[1].ReleaseLeaseAsync(dataset, winner.RunId);
        (await ledgers[0].TryAcquireLeaseAsync(dataset, new LeaseOwner("run-x", "host-0", 1), TimeSpan.FromMinutes(1))).Acquired.Should().BeTrue();
    }

    [Fact]
    public async Task RegisterAsync_DefinitionOver400KB_IsStoredCompressed_AndReadBackExactly()
    {
        var backends = AwsIngest.CreateBackends(servers.Options());
        var id = IngestTestData.NewDatasetId();
        var columns = Enumerable.Range(0, 1500)
            .Select(i => IngestTestData.Column($"c{i:D4}", i % 3 == 0 ? ColumnType.Int64 : ColumnType.String) with
            {
                Description = $"Column {i} of the wide extract: " + string.Concat(Enumerable.Repeat("the value as the source system exports it, unchanged; ", 5)),
            })
            .ToArray();
        var definition = IngestTestData.Definition(id, columns) with { Table = new TableSettings { Format = TableFormat.Iceberg } };
        var json = DatasetDefinitionSerializer.Serialize(definition);
        Encoding.UTF8.GetByteCount(json).Should().BeGreaterThan(400 * 1024, "the test needs a definition larger than a DynamoDB item may be");

        var registered = await backends.Registry.RegisterAsync(definition);
        var again = await backends.Registry.RegisterAsync(definition with { Columns = [.. columns, IngestTestData.Column("extra", ColumnType.Date)] });

        registered.Version.Should().Be(1);
        again.Version.Should().Be(2);
        var stored = await AwsIngest.CreateBackends(servers.Options()).Registry.GetAsync(id, 1);
        DatasetDefinitionSerializer.Serialize(stored!.Definition).Should().Be(json);
        (await backends.Registry.ListAsync().FirstAsync(r => r.Dataset == id)).Definition.Columns.Should().HaveCount(1501);

        var item = await RawItemAsync(Keys.Dataset(id), Keys.Definition(1));
        item.Should().ContainKey("definitionGz").And.NotContainKey("definition");
        item["definitionGz"].B.Length.Should().BeLessThan(DynamoDbTable.CompressAboveBytes);
    }

    [Fact]
    public async Task Registry_WriterStoppedAfterThePointer_VersionStaysReadable_AndIsRepairedByTheNextRegistration()
    {
        var registry = AwsIngest.CreateBackends(servers.Options()).Registry;
        var id = IngestTestData.NewDatasetId();
        var v1 = IngestTestData.Definition(id) with { Table = new TableSettings { Format = TableFormat.Iceberg } };
        await registry.RegisterAsync(v1);
        var v2 = await registry.RegisterAsync(v1 with { Description = "v2" });

        // As if the writer of v2 died after advancing DEF#LATEST and before writing DEF#000002.
        await DeleteRawItemAsync(Keys.Dataset(id), Keys.Definition(2));

        (await registry.GetAsync(id, 2))!.Fingerprint.Should().Be(v2.Fingerprint);
        (await registry.ListVersionsAsync(id).ToListAsync()).Select(v => v.Version).Should().Equal(1, 2);
        var v3 = await registry.RegisterAsync(v1 with { Description = "v3" });

        v3.Version.Should().Be(3);
        (await RawItemAsync(Keys.Dataset(id), Keys.Definition(2)))["fingerprint"].S.Should().Be(v2.Fingerprint, "the next registration restores the version item");
        (await registry.ListVersionsAsync(id).ToListAsync()).Select(v => v.Fingerprint).Should().Equal(
            DatasetDefinitionSerializer.Fingerprint(v1), v2.Fingerprint, v3.Fingerprint);
    }

    [Fact]
    public async Task FindSourceAsync_SourceOfARunThatNeverSucceeded_DoesNotCount_AndIsTakenOverBySuccess()
    {
        var ledger = AwsIngest.CreateBackends(servers.Options()).Ledger;
        var dataset = IngestTestData.NewDatasetId();
        var sha = new string('d', 64);
        var dead = new RunRecord { RunId = "20240601T080000Z-dead", Dataset = dataset, DefinitionVersion = 1, Status = RunStatus.Running, StartedAt = DateTimeOffset.UnixEpoch };
        await ledger.StartRunAsync(dead);

        // As if the dead run stopped between writing its source item and its run item.
        await PutRawItemAsync(new()
        {
            ["pk"] = new AttributeValue { S = Keys.Dataset(dataset) },
            ["sk"] = new AttributeValue { S = Keys.Source(sha) },
            ["runId"] = new AttributeValue { S = dead.RunId },
            ["body"] = new AttributeValue { S = $$"""{"sha256":"{{sha}}","name":"a.csv","size":1,"rawKey":"x/a.csv","runId":"{{dead.RunId}}","skipped":false}""" },
        });

        (await ledger.FindSourceAsync(dataset, sha)).Should().BeNull("the run that recorded it never succeeded");

        var next = dead with { RunId = "20240601T090000Z-next" };
        await ledger.StartRunAsync(next);
        var source = new SourceFingerprint(sha, "a.csv", 1, "x/a.csv", next.RunId);
        await ledger.CompleteRunAsync(next with { Status = RunStatus.Succeeded, Sources = [source] });

        (await ledger.FindSourceAsync(dataset, sha)).Should().Be(source);
    }

    [Fact]
    public async Task Lease_SharedWithTheStateMachineAndTheGlueJob_HasOneItemShape()
    {
        var ledger = AwsIngest.CreateBackends(servers.Options()).Ledger;
        var dataset = IngestTestData.NewDatasetId();

        // The C# ledger's item: the attributes the state machine's conditions and the Glue job's ledger.py use.
        var taken = await ledger.TryAcquireLeaseAsync(dataset, new LeaseOwner("20240601T080000Z-0000c0de", "agent-1", 42), TimeSpan.FromMinutes(5));
        var item = await RawItemAsync(Keys.Dataset(dataset), Keys.Lease);
        item.Keys.Should().BeEquivalentTo("pk", "sk", "runId", "host", "processId", "expiresAt");
        item["processId"].N.Should().Be("42");
        item["expiresAt"].S.Should().MatchRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", "text order must be time order, in Step Functions' EnteredTime format")
            .And.Be(DynamoDbRunLedger.LeaseTime(taken.Current.ExpiresAt));
        await ledger.ReleaseLeaseAsync(dataset, "20240601T080000Z-0000c0de");

        // The lease as the state machine takes it (IngestStateMachine's AcquireLease) is live for the C# engine.
        const string execution = "arn:aws:states:eu-west-1:123456789012:execution:ingest:nightly";
        await PutRawItemAsync(LeaseItem(dataset, "20240601T090000Z-5ea5ea5e", execution, IngestStateMachine.OpenEndedLeaseExpiry));
        var busy = await ledger.TryAcquireLeaseAsync(dataset, new LeaseOwner("20240601T090100Z-00000001", "agent-1", 42), TimeSpan.FromMinutes(5));
        busy.Acquired.Should().BeFalse();
        busy.Current.Owner.Should().Be(new LeaseOwner("20240601T090000Z-5ea5ea5e", execution, 0));
        busy.Current.ExpiresAt.Should().Be(new DateTimeOffset(9999, 12, 31, 23, 59, 59, 999, TimeSpan.Zero));

        // Once the Glue job set a real expiry that has passed (ledger.py adopt_lease_request), the C# engine takes it over.
        await PutRawItemAsync(LeaseItem(dataset, "20240601T090000Z-5ea5ea5e", execution, "2024-06-01T09:10:00.000Z"));
        (await ledger.TryAcquireLeaseAsync(dataset, new LeaseOwner("20240601T100000Z-00000002", "agent-1", 42), TimeSpan.FromMinutes(5))).Acquired
            .Should().BeTrue("an expired lease is taken over whoever wrote it");
    }

    private static Dictionary<string, AttributeValue> LeaseItem(DatasetId dataset, string runId, string host, string expiresAt) => new()
    {
        ["pk"] = new AttributeValue { S = Keys.Dataset(dataset) },
        ["sk"] = new AttributeValue { S = Keys.Lease },
        ["runId"] = new AttributeValue { S = runId },
        ["host"] = new AttributeValue { S = host },
        ["processId"] = new AttributeValue { N = "0" },
        ["expiresAt"] = new AttributeValue { S = expiresAt },
    };

    private async Task<Dictionary<string, AttributeValue>> RawItemAsync(string pk, string sk)
    {
        using var client = AwsIngest.CreateClients(servers.Options()).DynamoDb;
        var response = await client.GetItemAsync(new GetItemRequest { TableName = AwsServers.TableName, Key = DynamoDbTable.Key(pk, sk), ConsistentRead = true });
        return response.Item;
    }

    private async Task DeleteRawItemAsync(string pk, string sk)
    {
        using var client = AwsIngest.CreateClients(servers.Options()).DynamoDb;
        await client.DeleteItemAsync(new DeleteItemRequest { TableName = AwsServers.TableName, Key = DynamoDbTable.Key(pk, sk) });
    }

    private async Task PutRawItemAsync(Dictionary<string, AttributeValue> item)
    {
        using var client = AwsIngest.CreateClients(servers.Options()).DynamoDb;
        await client.PutItemAsync(new PutItemRequest { TableName = AwsServers.TableName, Item = item });
    }
}
