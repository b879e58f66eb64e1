using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Ingest.Storage;

namespace Ingest.Aws;

/// <summary>Options of the AWS backends (<see cref="AwsIngest"/>, <c>AddIngestAws</c>): where the lake and the table are, and how to reach them.</summary>
/// <remarks>
/// Zones map either to buckets of their own (<see cref="ZoneBuckets"/>) or to prefixes of one bucket (<see cref="Bucket"/> and
/// <see cref="ZonePrefixes"/>); a zone listed in <see cref="ZoneBuckets"/> uses that bucket, the others the shared one.
/// Against local servers (s3rver, dynalite) set the two service URLs, <see cref="ForcePathStyle"/> and <see cref="EmulatorCompatibility"/>.
/// </remarks>
public sealed partial class AwsIngestOptions
{
    /// <summary>The smallest part S3 accepts in a multipart upload (except the last): 5 MiB.</summary>
    public const long MinPartSizeBytes = 5L * 1024 * 1024;

    /// <summary>The largest part S3 accepts: 5 GiB.</summary>
    public const long MaxPartSizeBytes = 5L * 1024 * 1024 * 1024;

    /// <summary>Gets or sets the AWS region, such as <c>eu-central-1</c>.</summary>
    /// <value>The default is <see langword="null"/>: the SDK's region chain (<c>AWS_REGION</c>, the profile), or <c>us-east-1</c> for signing against service URLs.</value>
    public string? Region { get; set; }

    /// <summary>Gets or sets the named profile of the shared AWS config and credentials files.</summary>
    /// <value>The default is <see langword="null"/>: the SDK's default credential chain (environment, profile, SSO, container, instance role).</value>
    public string? Profile { get; set; }

    /// <summary>Gets or sets explicit credentials (code only, never bound from configuration); they win over <see cref="Profile"/>.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>Gets or sets the S3 endpoint of a local server, such as <c>http://127.0.0.1:4568</c>.</summary>
    /// <value>The default is <see langword="null"/>: the region's S3 endpoint.</value>
    public string? S3ServiceUrl { get; set; }

    /// <summary>Gets or sets the DynamoDB endpoint of a local server, such as <c>http://127.0.0.1:4567</c>.</summary>
    /// <value>The default is <see langword="null"/>: the region's DynamoDB endpoint.</value>
    public string? DynamoDbServiceUrl { get; set; }

    /// <summary>Gets or sets whether S3 is addressed path-style (<c>http://host/bucket/key</c>), as local servers need.</summary>
    /// <value>The default is <see langword="false"/> (virtual-hosted style).</value>
    public bool ForcePathStyle { get; set; }

    /// <summary>Gets or sets the bucket of every zone not listed in <see cref="ZoneBuckets"/>; each zone lives under its prefix.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Bucket { get; set; }

    /// <summary>Gets the prefix of each zone inside <see cref="Bucket"/>, by zone name; a zone not listed uses <c>{zone}/</c>.</summary>
    /// <value>The default is empty (<c>raw/</c>, <c>curated/</c>, <c>quarantine/</c>).</value>
    public Dictionary<string, string> ZonePrefixes { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the bucket of each zone that has one of its own, by zone name (<c>raw</c>, <c>curated</c>, <c>quarantine</c>); keys start at the bucket's root.</summary>
    /// <value>The default is empty.</value>
    public Dictionary<string, string> ZoneBuckets { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets the DynamoDB table of the registry and ledger (string keys <c>pk</c> and <c>sk</c>).</summary>
    /// <value>The default is <c>ingest</c>.</value>
    public string TableName { get; set; } = "ingest";

    /// <summary>Gets or sets the KMS key (id, ARN or alias) for SSE-KMS on every object written.</summary>
    /// <value>The default is <see langword="null"/>: SSE-S3 (<c>AES256</c>).</value>
    public string? KmsKeyId { get; set; }

    /// <summary>Gets or sets the account id that must own the buckets (sent as <c>x-amz-expected-bucket-owner</c>).</summary>
    /// <value>The default is <see langword="null"/>: not checked.</value>
    public string? ExpectedBucketOwner { get; set; }

    /// <summary>Gets or sets the size of multipart upload parts; an object smaller than one part is written with one PUT.</summary>
    /// <value>The default is 8 MiB; between 5 MiB and 5 GiB. A writer uploads up to three parts at once and holds at most four in memory.</value>
    public long PartSizeBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Gets or sets how often a throttled (503 SlowDown, throughput exceeded) or failed transient request is retried, with jittered exponential backoff.</summary>
    /// <value>The default is 5; between 0 and 20.</value>
    public int MaxErrorRetries { get; set; } = 5;

    /// <summary>
    /// Gets or sets whether the servers are local emulators (s3rver, dynalite): response checksums are validated only
    /// when required, and requests avoid features those servers do not implement. Never set it against AWS.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool EmulatorCompatibility { get; set; }

    /// <summary>The Terraform output names <see cref="FromTerraformOutputs"/> reads (see the package README).</summary>
    public static IReadOnlyList<string> TerraformOutputNames { get; } =
    [
        "ingest_region", "ingest_lake_bucket", "ingest_raw_bucket", "ingest_curated_bucket", "ingest_quarantine_bucket",
        "ingest_table_name", "ingest_kms_key_arn", "ingest_account_id", "ingest_settings",
    ];

    /// <summary>
    /// Reads options from what <c>terraform output -json</c> prints (<c>{"name": {"value": …}, …}</c>). Outputs read:
    /// <c>ingest_region</c>, <c>ingest_lake_bucket</c> (one bucket, zones as prefixes) or <c>ingest_raw_bucket</c>,
    /// <c>ingest_curated_bucket</c>, <c>ingest_quarantine_bucket</c>, <c>ingest_table_name</c>, <c>ingest_kms_key_arn</c>
    /// and <c>ingest_account_id</c> (the expected bucket owner), and from the object <c>ingest_settings</c> the members
    /// <c>athenaWorkgroup</c>, <c>athenaResults</c>, <c>stateMachineArn</c> and <c>glueJobName</c> (<see cref="AthenaWorkgroup"/>,
    /// <see cref="AthenaOutputLocation"/>, <see cref="StateMachineArn"/>, <see cref="GlueJobName"/>); other outputs and members
    /// are ignored, missing ones keep their defaults.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>Options to adjust further; they are validated when the backends are built.</returns>
    /// <exception cref="ArgumentException">The text is not that shape, or an output read is not a string.</exception>
    public static AwsIngestOptions FromTerraformOutputs(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The Terraform outputs are not JSON (expected what 'terraform output -json' prints): {ex.Message}", nameof(json), ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("The Terraform outputs must be a JSON object of outputs ({\"name\": {\"value\": …}}), as 'terraform output -json' prints.", nameof(json));
            }

            var options = new AwsIngestOptions();
            string? Output(string name)
            {
                if (!document.RootElement.TryGetProperty(name, out var output))
                {
                    return null;
                }

                if (output.ValueKind != JsonValueKind.Object || !output.TryGetProperty("value", out var value))
                {
                    throw new ArgumentException($"Terraform output '{name}' has no \"value\" (expected {{\"{name}\": {{\"value\": \"…\"}}}}).", nameof(json));
                }

                return value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Null => null,
                    _ => throw new ArgumentException($"Terraform output '{name}' must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}.", nameof(json)),
                };
            }

            options.Region = Output("ingest_region") ?? options.Region;
            options.Bucket = Output("ingest_lake_bucket") ?? options.Bucket;
            foreach (var zone in LakeZone.All)
            {
                if (Output($"ingest_{zone.Name}_bucket") is { } bucket)
                {
                    options.ZoneBuckets[zone.Name] = bucket;
                }
            }

            options.TableName = Output("ingest_table_name") ?? options.TableName;
            options.KmsKeyId = Output("ingest_kms_key_arn") ?? options.KmsKeyId;
            options.ExpectedBucketOwner = Output("ingest_account_id") ?? options.ExpectedBucketOwner;
            ReadAnalyticsSettings(document.RootElement, options);
            return options;
        }
    }

    /// <summary>Reads the Athena, Glue and Step Functions settings from the <c>ingest_settings</c> object output, if present.</summary>
    private static void ReadAnalyticsSettings(JsonElement outputs, AwsIngestOptions options)
    {
        const string Name = "ingest_settings";
        if (!outputs.TryGetProperty(Name, out var output))
        {
            return;
        }

        if (output.ValueKind != JsonValueKind.Object || !output.TryGetProperty("value", out var value))
        {
            throw new ArgumentException($"Terraform output '{Name}' has no \"value\" (expected {{\"{Name}\": {{\"value\": {{…}}}}}}).", "json");
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"Terraform output '{Name}' must be an object, not {value.ValueKind.ToString().ToLowerInvariant()}.", "json");
        }

        string? Member(string member)
        {
            if (!value.TryGetProperty(member, out var text) || text.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return text.ValueKind == JsonValueKind.String
                ? text.GetString()
                : throw new ArgumentException($"Terraform output '{Name}.{member}' must be a string, not {text.ValueKind.ToString().ToLowerInvariant()}.", "json");
        }

        options.AthenaWorkgroup = Member("athenaWorkgroup") ?? options.AthenaWorkgroup;
        options.AthenaOutputLocation = Member("athenaResults") ?? options.AthenaOutputLocation;
        options.StateMachineArn = Member("stateMachineArn") ?? options.StateMachineArn;
        options.GlueJobName = Member("glueJobName") ?? options.GlueJobName;
    }

    /// <summary>Returns the problems of these options, each naming its field; empty when they are valid.</summary>
    internal IReadOnlyList<string> GetErrors()
    {
        var errors = new List<string>();
        if (Region is not null && !RegionPattern().IsMatch(Region))
        {
            errors.Add($"AwsIngestOptions.Region '{Region}' is not a region name (expected something like 'eu-central-1').");
        }

        if (Profile is not null && string.IsNullOrWhiteSpace(Profile))
        {
            errors.Add("AwsIngestOptions.Profile is blank: name a profile of the shared AWS config, or leave it unset for the default credential chain.");
        }

        CheckUrl(errors, nameof(S3ServiceUrl), S3ServiceUrl);
        CheckUrl(errors, nameof(DynamoDbServiceUrl), DynamoDbServiceUrl);

        if (Bucket is not null && !IsBucketName(Bucket))
        {
            errors.Add($"AwsIngestOptions.Bucket '{Bucket}' is not a valid S3 bucket name (3–63 lower-case letters, digits, '.' and '-').");
        }

        foreach (var (zone, bucket) in ZoneBuckets)
        {
            if (!IsBucketName(bucket))
            {
                errors.Add($"AwsIngestOptions.ZoneBuckets[{zone}] '{bucket}' is not a valid S3 bucket name (3–63 lower-case letters, digits, '.' and '-').");
            }
        }

        foreach (var (zone, prefix) in ZonePrefixes)
        {
            if (prefix.Length > 0 && (!prefix.EndsWith('/') || !LakeKeys.IsValid(prefix, allowPrefix: true)))
            {
                errors.Add($"AwsIngestOptions.ZonePrefixes[{zone}] '{prefix}' must be empty or relative '/'-separated segments ending with '/' (such as 'curated/').");
            }
        }

        var unmapped = LakeZone.All.Where(z => !ZoneBuckets.ContainsKey(z.Name)).Select(z => z.Name).ToList();
        if (Bucket is null && unmapped.Count > 0)
        {
            errors.Add($"AwsIngestOptions.Bucket is required unless ZoneBuckets names a bucket for every zone; missing: {string.Join(", ", unmapped)}.");
        }
        else if (Bucket is not null)
        {
            var shared = unmapped.Select(z => (Zone: z, Prefix: ZonePrefixes.TryGetValue(z, out var p) ? p : z + "/")).ToList();
            for (var i = 0; i < shared.Count; i++)
            {
                for (var j = 0; j < shared.Count; j++)
                {
                    if (i != j && shared[j].Prefix.StartsWith(shared[i].Prefix, StringComparison.Ordinal))
                    {
                        errors.Add($"AwsIngestOptions.ZonePrefixes: zones {shared[i].Zone} ('{shared[i].Prefix}') and {shared[j].Zone} ('{shared[j].Prefix}') overlap in bucket {Bucket}; give each zone a prefix of its own.");
                    }
                }
            }
        }

        if (string.IsNullOrWhiteSpace(TableName) || !TableNamePattern().IsMatch(TableName))
        {
            errors.Add($"AwsIngestOptions.TableName '{TableName}' is not a DynamoDB table name (3–255 letters, digits, '_', '-' and '.').");
        }

        if (KmsKeyId is not null && string.IsNullOrWhiteSpace(KmsKeyId))
        {
            errors.Add("AwsIngestOptions.KmsKeyId is blank: give a key id, ARN or alias, or leave it unset for SSE-S3.");
        }

        if (ExpectedBucketOwner is not null && !AccountPattern().IsMatch(ExpectedBucketOwner))
        {
            errors.Add($"AwsIngestOptions.ExpectedBucketOwner '{ExpectedBucketOwner}' is not a 12-digit AWS account id.");
        }

        if (PartSizeBytes is < MinPartSizeBytes or > MaxPartSizeBytes)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"AwsIngestOptions.PartSizeBytes {PartSizeBytes} is out of range: S3 parts are between {MinPartSizeBytes} (5 MiB) and {MaxPartSizeBytes} (5 GiB) bytes."));
        }

        if (MaxErrorRetries is < 0 or > 20)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"AwsIngestOptions.MaxErrorRetries {MaxErrorRetries} is out of range: expected 0 to 20."));
        }

        AddServiceErrors(errors);
        return errors;
    }

    /// <summary>Throws when the options are invalid.</summary>
    internal void Validate() => Microsoft.Extensions.DependencyInjection.OptionsValidation.ThrowIfAny(GetErrors(), "options");

    private static void CheckUrl(List<string> errors, string field, string? value)
    {
        if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            errors.Add($"AwsIngestOptions.{field} '{value}' is not an absolute http(s) URL (such as 'http://127.0.0.1:4568').");
        }
    }

    private static bool IsBucketName(string name) => BucketPattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    [GeneratedRegex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex BucketPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,255}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableNamePattern();

    [GeneratedRegex("^[0-9]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountPattern();
}
