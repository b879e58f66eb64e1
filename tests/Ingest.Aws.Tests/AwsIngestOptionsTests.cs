using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ingest.Aws.Tests;

public sealed class AwsIngestOptionsTests
{
    [Fact]
    public void Defaults()
    {
        var options = new AwsIngestOptions();

        options.TableName.Should().Be("ingest");
        options.PartSizeBytes.Should().Be(8L * 1024 * 1024);
        options.MaxErrorRetries.Should().Be(5);
        options.ForcePathStyle.Should().BeFalse();
        options.EmulatorCompatibility.Should().BeFalse();
        options.KmsKeyId.Should().BeNull();
    }

    [Theory]
    [InlineData("Bucket", "*AwsIngestOptions.Bucket is required*raw, curated, quarantine*")]
    [InlineData("Region", "*AwsIngestOptions.Region 'Frankfurt'*")]
    [InlineData("PartSizeBytes", "*AwsIngestOptions.PartSizeBytes 1048576*")]
    [InlineData("TableName", "*AwsIngestOptions.TableName 'x'*")]
    [InlineData("ExpectedBucketOwner", "*AwsIngestOptions.ExpectedBucketOwner 'me'*")]
    [InlineData("S3ServiceUrl", "*AwsIngestOptions.S3ServiceUrl 'localhost:4568'*")]
    [InlineData("ZoneBuckets", "*AwsIngestOptions.ZoneBuckets[raw] 'Raw_Bucket'*")]
    [InlineData("ZonePrefixes", "*zones curated ('data/') and raw ('data/raw/') overlap*")]
    public void CreateBackends_InvalidField_ThrowsNamingIt(string field, string message)
    {
        var options = new AwsIngestOptions { Bucket = "lake-bucket" };
        switch (field)
        {
            case "Bucket": options.Bucket = null; break;
            case "Region": options.Region = "Frankfurt"; break;
            case "PartSizeBytes": options.PartSizeBytes = 1024 * 1024; break;
            case "TableName": options.TableName = "x"; break;
            case "ExpectedBucketOwner": options.ExpectedBucketOwner = "me"; break;
            case "S3ServiceUrl": options.S3ServiceUrl = "localhost:4568"; break;
            case "ZoneBuckets": options.ZoneBuckets["raw"] = "Raw_Bucket"; break;
            case "ZonePrefixes": options.ZonePrefixes["curated"] = "data/"; options.ZonePrefixes["raw"] = "data/raw/"; break;
        }

        var act = () => AwsIngest.CreateBackends(options);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void CreateBackends_UnknownProfile_ThrowsNamingIt()
    {
        var act = () => AwsIngest.CreateBackends(new AwsIngestOptions { Bucket = "lake-bucket", Profile = "no-such-profile-" + Guid.NewGuid().ToString("N") });

        act.Should().Throw<ArgumentException>().WithMessage("*AwsIngestOptions.Profile 'no-such-profile-*");
    }

    [Fact]
    public void CreateBackends_ValidOptions_SetsLakeRegistryAndLedger_NoCatalogYet()
    {
        var backends = AwsIngest.CreateBackends(new AwsIngestOptions { Region = "eu-central-1", Bucket = "lake-bucket", Credentials = new Amazon.Runtime.AnonymousAWSCredentials() });

        backends.Lake.GetAddress(LakeZone.Curated, "sales/orders/x.parquet").Should().Be("s3://lake-bucket/curated/sales/orders/x.parquet");
        backends.Registry.Should().NotBeNull();
        backends.Ledger.Should().NotBeNull();
        backends.Catalog.Should().BeNull();
        backends.Query.Should().BeNull();
    }

    [Fact]
    public void FromTerraformOutputs_ReadsTheDocumentedOutputs()
    {
        const string json = """
            {
              "ingest_region": { "sensitive": false, "type": "string", "value": "eu-central-1" },
              "ingest_raw_bucket": { "sensitive": false, "type": "string", "value": "acme-ingest-raw" },
              "ingest_curated_bucket": { "sensitive": false, "type": "string", "value": "acme-ingest-curated" },
              "ingest_quarantine_bucket": { "sensitive": false, "type": "string", "value": "acme-ingest-quarantine" },
              "ingest_table_name": { "sensitive": false, "type": "string", "value": "acme-ingest" },
              "ingest_kms_key_arn": { "sensitive": false, "type": "string", "value": "arn:aws:kms:eu-central-1:123456789012:key/abc" },
              "ingest_account_id": { "sensitive": false, "type": "string", "value": "123456789012" },
              "something_else": { "sensitive": false, "type": "number", "value": 3 }
            }
            """;

        var options = AwsIngestOptions.FromTerraformOutputs(json);

        options.Region.Should().Be("eu-central-1");
        options.ZoneBuckets.Should().Equal(new Dictionary<string, string> { ["raw"] = "acme-ingest-raw", ["curated"] = "acme-ingest-curated", ["quarantine"] = "acme-ingest-quarantine" });
        options.Bucket.Should().BeNull();
        options.TableName.Should().Be("acme-ingest");
        options.KmsKeyId.Should().Be("arn:aws:kms:eu-central-1:123456789012:key/abc");
        options.ExpectedBucketOwner.Should().Be("123456789012");
        AwsIngestOptions.TerraformOutputNames.Should().Contain(["ingest_region", "ingest_lake_bucket", "ingest_table_name"]);
        AwsIngest.CreateBackends(options).Lake.GetAddress(LakeZone.Raw, "a").Should().Be("s3://acme-ingest-raw/a");
    }

    [Theory]
    [InlineData("not json", "*not JSON*")]
    [InlineData("[1]", "*JSON object of outputs*")]
    [InlineData("""{"ingest_table_name": "t"}""", "*'ingest_table_name' has no \"value\"*")]
    [InlineData("""{"ingest_table_name": {"value": 3}}""", "*'ingest_table_name' must be a string*")]
    public void FromTerraformOutputs_WrongShape_ThrowsSayingWhat(string json, string message)
    {
        var act = () => AwsIngestOptions.FromTerraformOutputs(json);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public async Task AddIngestAws_FromConfiguration_BindsOptions_AndRegistersBackends()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Ingest:Aws:Region"] = "eu-west-1",
                ["Ingest:Aws:Bucket"] = "lake-bucket",
                ["Ingest:Aws:ZoneBuckets:raw"] = "raw-bucket",
                ["Ingest:Aws:ZonePrefixes:curated"] = "c/",
                ["Ingest:Aws:TableName"] = "my-table",
                ["Ingest:Aws:PartSizeBytes"] = "16777216",
            })
            .Build();
        await using var provider = new ServiceCollection().AddIngestAws(configuration.GetSection("Ingest:Aws")).AddIngest().BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AwsIngestOptions>>().Value;
        var backends = provider.GetRequiredService<IngestBackends>();

        options.TableName.Should().Be("my-table");
        options.PartSizeBytes.Should().Be(16L * 1024 * 1024);
        backends.Lake.Should().BeSameAs(provider.GetRequiredService<ILakeStorage>());
        backends.Registry.Should().BeSameAs(provider.GetRequiredService<ISchemaRegistry>());
        backends.Ledger.Should().BeSameAs(provider.GetRequiredService<IRunLedger>());
        backends.Lake.GetAddress(LakeZone.Raw, "a").Should().Be("s3://raw-bucket/a");
        backends.Lake.GetAddress(LakeZone.Curated, "a").Should().Be("s3://lake-bucket/c/a");
    }

    [Fact]
    public async Task AddIngestAws_KeepsEarlierRegistrations_AndValidatesOnStart()
    {
        var ownLedger = new Testing.InMemoryRunLedger();
        await using var provider = new ServiceCollection()
            .AddSingleton<IRunLedger>(ownLedger)
            .AddIngestAws(o => o.PartSizeBytes = 1)
            .BuildServiceProvider();

        provider.GetRequiredService<IRunLedger>().Should().BeSameAs(ownLedger);
        var act = () => provider.GetRequiredService<IOptions<AwsIngestOptions>>().Value;
        act.Should().Throw<OptionsValidationException>().WithMessage("*AwsIngestOptions.Bucket*").And.Message.Should().Contain("AwsIngestOptions.PartSizeBytes");
    }
}
