using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Ingest.Aws.Credentials;
using Ingest.Aws.Diagnostics;
using Ingest.Aws.DynamoDb;
using Ingest.Aws.S3;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Aws;

/// <summary>Creates the AWS backends: the lake in S3, the schema registry and run ledger in one DynamoDB table.</summary>
public static class AwsIngest
{
    /// <summary>
    /// Creates the backends: <see cref="IngestBackends.Lake"/>, <see cref="IngestBackends.Registry"/>,
    /// <see cref="IngestBackends.Ledger"/> and <see cref="IngestBackends.IcebergCatalog"/> (an item of the DynamoDB table per
    /// Iceberg table, until <see cref="AwsAnalytics.WithGlueAndAthena"/> puts the Glue Data Catalog in its place) are set; <see cref="IngestBackends.Catalog"/> and <see cref="IngestBackends.Query"/>
    /// are <see langword="null"/> until <see cref="AwsAnalytics.WithGlueAndAthena"/> adds Glue and Athena. No request is made here.
    /// </summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="timeProvider">The clock for registration times and lease expiry; the system clock when <see langword="null"/>.</param>
    /// <param name="loggerFactory">The logger factory; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid, or the profile does not exist; the message names the field.</exception>
    /// <remarks>
    /// The buckets and the table must exist (Terraform creates them; <see cref="EnsureResourcesAsync"/> does for local servers
    /// and trials). Several processes and machines may share them: every state change is a conditional write.
    /// </remarks>
    public static IngestBackends CreateBackends(AwsIngestOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
        => CreateBackends(options, null, null, timeProvider, loggerFactory);

    /// <summary>
    /// Creates the backends over clients the host brings (as <c>AddIngestAws</c> does when the container has an
    /// <see cref="IAmazonS3"/> or <see cref="IAmazonDynamoDB"/>); a client that is <see langword="null"/> is created from the
    /// options. A client the host brings keeps its own region, endpoint, credentials and retry settings.
    /// </summary>
    internal static IngestBackends CreateBackends(AwsIngestOptions options, IAmazonS3? s3Client, IAmazonDynamoDB? dynamoDbClient, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        IAmazonS3 s3;
        IAmazonDynamoDB dynamoDb;
        if (s3Client is not null && dynamoDbClient is not null)
        {
            (s3, dynamoDb) = (s3Client, dynamoDbClient);
        }
        else
        {
            var (createdS3, createdDynamoDb) = CreateClients(options);
            s3 = s3Client ?? createdS3;
            dynamoDb = dynamoDbClient ?? createdDynamoDb;
            if (s3Client is not null)
            {
                createdS3.Dispose();
            }

            if (dynamoDbClient is not null)
            {
                createdDynamoDb.Dispose();
            }
        }

        var clock = timeProvider ?? TimeProvider.System;
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Ingest.Aws");
        var table = new DynamoDbTable(dynamoDb, options.TableName);
        return new IngestBackends
        {
            Lake = new S3LakeStorage(s3, new S3Zones(options), Settings(options), logger),
            Registry = new DynamoDbSchemaRegistry(table, clock, logger),
            Ledger = new DynamoDbRunLedger(table, clock, logger),

            // Replaced by the Glue Data Catalog in WithGlueAndAthena (Athena reads Glue); this one serves deployments without Glue.
            IcebergCatalog = new DynamoDbIcebergCatalog(table),
        };
    }

    /// <summary>
    /// Creates the buckets of every zone and the table (on-demand, keys <c>pk</c>/<c>sk</c>) when they do not exist, and
    /// waits until the table is active. Meant for local servers and trial accounts; in production Terraform owns them
    /// (with encryption, versioning, public access blocks and lifecycle rules this method does not set).
    /// </summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="IngestException">A request failed; <see cref="IngestException.IsTransient"/> tells whether to retry.</exception>
    public static async Task EnsureResourcesAsync(AwsIngestOptions options, CancellationToken cancellationToken = default)
    {
        var (s3, dynamoDb) = CreateClients(options);
        using (s3)
        using (dynamoDb)
        {
            foreach (var bucket in new S3Zones(options).Buckets())
            {
                try
                {
                    await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, UseClientRegion = true }, cancellationToken).ConfigureAwait(false);
                }
                catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
                {
                    // Exists already.
                }
                catch (Exception ex) when (AwsErrors.IsAwsFailure(ex, cancellationToken))
                {
                    throw AwsErrors.Wrap(ex, "Creating the bucket", "s3://" + bucket);
                }
            }

            await new DynamoDbTable(dynamoDb, options.TableName).EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal static S3Settings Settings(AwsIngestOptions options)
        => new(options.KmsKeyId, options.ExpectedBucketOwner, options.PartSizeBytes, options.EmulatorCompatibility);

    internal static (AmazonS3Client S3, AmazonDynamoDBClient DynamoDb) CreateClients(AwsIngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var (credentials, profileRegion) = AwsCredentialResolver.ResolveOrDefault(options);
        var region = options.Region ?? profileRegion;

        var s3Config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxErrorRetries,
            HttpClientFactory = new RetryCountingHttpClientFactory("s3"),

            // Checksums are computed by the lake itself (CRC-32C on every PUT and part) and sent as headers, not as aws-chunked trailers.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = options.EmulatorCompatibility ? ResponseChecksumValidation.WHEN_REQUIRED : ResponseChecksumValidation.WHEN_SUPPORTED,
        };
        var dynamoDbConfig = new AmazonDynamoDBConfig
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxErrorRetries,
            HttpClientFactory = new RetryCountingHttpClientFactory("dynamodb"),
        };
        Configure(s3Config, options.S3ServiceUrl, region);
        Configure(dynamoDbConfig, options.DynamoDbServiceUrl, region);
        return (new AmazonS3Client(credentials, s3Config), new AmazonDynamoDBClient(credentials, dynamoDbConfig));
    }

    private static void Configure(ClientConfig config, string? serviceUrl, string? region)
    {
        if (serviceUrl is not null)
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = region ?? "us-east-1";
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
    }
}
