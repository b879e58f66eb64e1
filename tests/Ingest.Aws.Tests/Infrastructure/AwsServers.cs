using Ingest.TestSupport;
using Amazon.Runtime;

namespace Ingest.Aws.Tests.Infrastructure;

/// <summary>
/// Starts the real S3 and DynamoDB servers of tests/package.json (s3rver through tests/s3-server.js, dynalite) on free
/// loopback ports, creates the buckets and the table, and kills both at the end. When a server cannot start, every test
/// of the collection fails with the reason (they never pass without a server); with <c>INGEST_REQUIRE_EMULATORS=1</c>
/// (CI) the fixture itself fails.
/// </summary>
public sealed class AwsServers : IAsyncLifetime
{
    public const string RawBucket = "ingest-raw";
    public const string CuratedBucket = "ingest-curated";
    public const string QuarantineBucket = "ingest-quarantine";
    public const string LakeBucket = "ingest-lake";
    public const string TableName = "ingest";

    private string? _unavailable;

    public ServerProcess? S3 { get; private set; }

    public ServerProcess? DynamoDb { get; private set; }

    public string S3Directory { get; } = Path.Combine(Path.GetTempPath(), "ingest-aws-tests", "s3-" + Guid.NewGuid().ToString("N")[..8]);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string TestsFolder => Path.Combine(RepositoryRoot, "tests");

    public static bool Required => Environment.GetEnvironmentVariable("INGEST_REQUIRE_EMULATORS") == "1";

    /// <summary>The credentials s3rver accepts (dynalite accepts any).</summary>
    public static AWSCredentials Credentials { get; } = new BasicAWSCredentials("S3RVER", "S3RVER");

    public async Task InitializeAsync()
    {
        try
        {
            await NpmPackages.EnsureInstalledAsync(TestsFolder, Path.Combine("node_modules", "dynalite", "cli.js"));
            S3 = await StartS3Async(S3Directory);
            DynamoDb = await ServerProcess.StartAsync(
                "dynalite",
                Path.Combine(TestsFolder, "node_modules", "dynalite", "cli.js"),
                port => ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "127.0.0.1"]);
            var options = Options();
            options.Bucket = LakeBucket;
            await AwsIngest.EnsureResourcesAsync(options);
        }
        catch (Exception ex)
        {
            _unavailable = $"The S3 and DynamoDB test servers (s3rver, dynalite) could not start: {ex.Message}";
            await DisposeAsync();
            if (Required)
            {
                throw new InvalidOperationException(_unavailable + " (INGEST_REQUIRE_EMULATORS=1: failing instead of skipping)", ex);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (S3 is not null)
        {
            await S3.DisposeAsync();
        }

        if (DynamoDb is not null)
        {
            await DynamoDb.DisposeAsync();
        }

        try
        {
            Directory.Delete(S3Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Starts an S3 server on a folder (the shared one, or a test's own).</summary>
    public static Task<ServerProcess> StartS3Async(string directory, int? port = null)
        => ServerProcess.StartAsync(
            "s3rver",
            Path.Combine(TestsFolder, "s3-server.js"),
            p => ["--directory", directory, "--port", p.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            port);

    /// <summary>Fails the calling test with the reason when the servers are not running.</summary>
    public void EnsureRunning()
    {
        if (_unavailable is not null)
        {
            Assert.Fail(_unavailable + " Install them with: npm ci --prefix tests (Node.js 20+).");
        }
    }

    /// <summary>Options for the servers: zone buckets, the table, path-style, emulator mode, 5 MiB parts.</summary>
    public AwsIngestOptions Options(string? s3Url = null)
    {
        EnsureRunning();
        var options = new AwsIngestOptions
        {
            Region = "us-east-1",
            Credentials = Credentials,
            S3ServiceUrl = s3Url ?? S3!.Url,
            DynamoDbServiceUrl = DynamoDb!.Url,
            ForcePathStyle = true,
            EmulatorCompatibility = true,
            TableName = TableName,
            PartSizeBytes = AwsIngestOptions.MinPartSizeBytes,
            MaxErrorRetries = 2,
        };
        options.ZoneBuckets["raw"] = RawBucket;
        options.ZoneBuckets["curated"] = CuratedBucket;
        options.ZoneBuckets["quarantine"] = QuarantineBucket;
        return options;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ingest.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ingest.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class AwsCollection : ICollectionFixture<AwsServers>
{
    public const string Name = "aws servers";
}
