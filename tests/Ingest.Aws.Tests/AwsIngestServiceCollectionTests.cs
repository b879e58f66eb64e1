using Amazon.DynamoDBv2;
using Amazon.S3;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Engine;
using Ingest.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Aws.Tests;

/// <summary>How <c>AddIngestAws</c> behaves in a host: the host's SDK clients, no output by default, options checked at start.</summary>
[Collection(AwsCollection.Name)]
public sealed class AwsIngestServiceCollectionTests(AwsServers servers)
{
    [Fact]
    public async Task AddIngestAws_TakesTheHostsS3AndDynamoDbClients()
    {
        var (s3, dynamoDb) = AwsIngest.CreateClients(servers.Options());
        var services = new ServiceCollection()
            .AddSingleton<IAmazonS3>(s3)
            .AddSingleton<IAmazonDynamoDB>(dynamoDb)
            .AddIngest()
            .AddIngestAws(o =>
            {
                // Nothing listens here: only the host's clients reach the servers.
                Copy(servers.Options(), o);
                o.S3ServiceUrl = "http://127.0.0.1:9";
                o.DynamoDbServiceUrl = "http://127.0.0.1:9";
                o.MaxErrorRetries = 0;
            });
        await using var provider = services.BuildServiceProvider();
        var lake = provider.GetRequiredService<ILakeStorage>();
        var key = $"container-clients/{Guid.NewGuid():N}.txt";

        await using (var writer = await lake.OpenWriteAsync(LakeZone.Raw, key))
        {
            await writer.Stream.WriteAsync(new byte[] { 1, 2, 3 });
            await writer.CompleteAsync();
        }

        var id = Testing.IngestTestData.NewDatasetId("sales");
        var registered = await provider.GetRequiredService<Registry.ISchemaRegistry>().RegisterAsync(Testing.IngestTestData.Definition(id));

        (await lake.GetAsync(LakeZone.Raw, key))!.Size.Should().Be(3);
        registered.Version.Should().Be(1);
        provider.GetRequiredService<IAmazonS3>().Should().BeSameAs(s3, "a host's registration wins");
    }

    [Fact]
    public async Task AddIngestAws_WritesNoMetricsUnlessAsked()
    {
        await using var plain = new ServiceCollection().AddIngest().AddIngestAws(o => Copy(servers.Options(), o)).BuildServiceProvider();
        await using var opted = new ServiceCollection().AddIngest().AddIngestAws(o => Copy(servers.Options(), o)).AddIngestEmbeddedMetrics().BuildServiceProvider();

        plain.GetServices<IIngestRunObserver>().Should().BeEmpty("AddIngestAws writes nothing to standard output");
        opted.GetServices<IIngestRunObserver>().Should().ContainSingle("AddIngestEmbeddedMetrics opts in");
    }

    [Fact]
    public async Task AddIngestAws_BadOptions_FailTheHostsStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders(); // a failed start logs to the console, which other tests capture
        builder.Services.AddIngest().AddIngestAws(o =>
        {
            Copy(servers.Options(), o);
            o.PartSizeBytes = 1;
        }).AddIngestEmbeddedMetrics(o => o.Namespace = " ");
        using var host = builder.Build();

        Exception? error = null;
        try
        {
            await host.StartAsync();
        }
        catch (Exception ex)
        {
            error = ex;
        }

        error.Should().NotBeNull("bad options stop the start");
        var failures = (error is AggregateException all ? all.InnerExceptions : [error!]).Cast<OptionsValidationException>().SelectMany(e => e.Failures);
        failures.Should().BeEquivalentTo(
            "AwsIngestOptions.PartSizeBytes 1 is out of range: S3 parts are between 5242880 (5 MiB) and 5368709120 (5 GiB) bytes.",
            "EmbeddedMetricsOptions.Namespace is blank: name a CloudWatch namespace (the default is 'Ingest').");
    }

    private static void Copy(AwsIngestOptions from, AwsIngestOptions to)
    {
        to.Region = from.Region;
        to.Credentials = from.Credentials;
        to.S3ServiceUrl = from.S3ServiceUrl;
        to.DynamoDbServiceUrl = from.DynamoDbServiceUrl;
        to.ForcePathStyle = from.ForcePathStyle;
        to.EmulatorCompatibility = from.EmulatorCompatibility;
        to.TableName = from.TableName;
        to.PartSizeBytes = from.PartSizeBytes;
        to.MaxErrorRetries = from.MaxErrorRetries;
        foreach (var (zone, bucket) in from.ZoneBuckets)
        {
            to.ZoneBuckets[zone] = bucket;
        }
    }
}
