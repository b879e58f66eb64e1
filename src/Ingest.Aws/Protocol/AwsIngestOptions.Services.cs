namespace Ingest.Aws;

/// <summary>The options of the Glue, Athena and Step Functions clients.</summary>
public sealed partial class AwsIngestOptions
{
    /// <summary>Gets or sets the Glue endpoint of a local server or a VPC endpoint.</summary>
    /// <value>The default is <see langword="null"/>: the region's Glue endpoint.</value>
    public string? GlueServiceUrl { get; set; }

    /// <summary>Gets or sets the Athena endpoint of a local server or a VPC endpoint.</summary>
    /// <value>The default is <see langword="null"/>: the region's Athena endpoint.</value>
    public string? AthenaServiceUrl { get; set; }

    /// <summary>Gets or sets the Step Functions endpoint of a local server or a VPC endpoint.</summary>
    /// <value>The default is <see langword="null"/>: the region's Step Functions endpoint.</value>
    public string? StepFunctionsServiceUrl { get; set; }

    /// <summary>Gets or sets the Athena workgroup queries run in when the caller names none.</summary>
    /// <value>The default is <c>primary</c>.</value>
    public string AthenaWorkgroup { get; set; } = "primary";

    /// <summary>Gets or sets where Athena writes query results (<c>s3://bucket/prefix/</c>).</summary>
    /// <value>The default is <see langword="null"/>: the workgroup's own result location (it must have one).</value>
    public string? AthenaOutputLocation { get; set; }

    /// <summary>Gets or sets the Glue job that runs ingests (the Terraform deploys it under this name).</summary>
    /// <value>The default is <c>ingest-glue-job</c>.</value>
    public string GlueJobName { get; set; } = "ingest-glue-job";

    /// <summary>Gets or sets the ARN of the ingest state machine.</summary>
    /// <value>The default is <see langword="null"/>: orchestrated runs are not available.</value>
    public string? StateMachineArn { get; set; }

    private void AddServiceErrors(List<string> errors)
    {
        CheckUrl(errors, nameof(GlueServiceUrl), GlueServiceUrl);
        CheckUrl(errors, nameof(AthenaServiceUrl), AthenaServiceUrl);
        CheckUrl(errors, nameof(StepFunctionsServiceUrl), StepFunctionsServiceUrl);
        if (string.IsNullOrWhiteSpace(AthenaWorkgroup))
        {
            errors.Add("AwsIngestOptions.AthenaWorkgroup is blank: name an Athena workgroup (the default is 'primary').");
        }

        if (AthenaOutputLocation is not null && !AthenaOutputLocation.StartsWith("s3://", StringComparison.Ordinal))
        {
            errors.Add($"AwsIngestOptions.AthenaOutputLocation '{AthenaOutputLocation}' is not an s3:// URI (such as 's3://my-athena-results/ingest/').");
        }

        if (string.IsNullOrWhiteSpace(GlueJobName))
        {
            errors.Add("AwsIngestOptions.GlueJobName is blank: name the Glue job that runs ingests (the default is 'ingest-glue-job').");
        }

        if (StateMachineArn is not null && !StateMachineArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            errors.Add($"AwsIngestOptions.StateMachineArn '{StateMachineArn}' is not an ARN (arn:aws:states:region:account:stateMachine:name).");
        }
    }
}
