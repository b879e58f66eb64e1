using Ingest.Aws.Tests.Infrastructure;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Testing;

namespace Ingest.Aws.Tests.DynamoDb;

/// <summary>The schema registry suite against DynamoDB (dynalite).</summary>
[Collection(AwsCollection.Name)]
public sealed class DynamoDbSchemaRegistryContractTests(AwsServers servers) : SchemaRegistryContractTests
{
    protected override Task<ISchemaRegistry> CreateRegistryAsync(TimeProvider timeProvider)
        => Task.FromResult(AwsIngest.CreateBackends(servers.Options(), timeProvider).Registry);
}

/// <summary>The run ledger suite against DynamoDB (dynalite).</summary>
[Collection(AwsCollection.Name)]
public sealed class DynamoDbRunLedgerContractTests(AwsServers servers) : RunLedgerContractTests
{
    protected override Task<IRunLedger> CreateLedgerAsync(TimeProvider timeProvider)
        => Task.FromResult(AwsIngest.CreateBackends(servers.Options(), timeProvider).Ledger);
}
