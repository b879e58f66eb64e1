namespace Ingest.Aws.Tests.Protocol;

/// <summary>The Athena, Glue and Step Functions settings read from the Terraform's <c>ingest_settings</c> output (terraform/output.tf).</summary>
public sealed class AnalyticsSettingsTests
{
    [Fact]
    public void FromTerraformOutputs_IngestSettings_SetsWorkgroupResultsStateMachineAndJob()
    {
        const string json = """
            {
              "ingest_region": { "sensitive": false, "type": "string", "value": "eu-central-1" },
              "ingest_settings": { "sensitive": false, "type": ["object", {}], "value": {
                "region": "eu-central-1", "buckets": { "raw": "acme-raw" }, "athenaWorkgroup": "acme-ingest",
                "athenaResults": "s3://acme-athena/results/", "glueJobName": "acme-ingest-glue-job",
                "stateMachineArn": "arn:aws:states:eu-central-1:123456789012:stateMachine:acme-ingest", "glueDatabases": ["sales"] } }
            }
            """;

        var options = AwsIngestOptions.FromTerraformOutputs(json);

        options.AthenaWorkgroup.Should().Be("acme-ingest");
        options.AthenaOutputLocation.Should().Be("s3://acme-athena/results/");
        options.StateMachineArn.Should().Be("arn:aws:states:eu-central-1:123456789012:stateMachine:acme-ingest");
        options.GlueJobName.Should().Be("acme-ingest-glue-job");
        AwsIngestOptions.TerraformOutputNames.Should().Contain("ingest_settings");
    }

    [Fact]
    public void FromTerraformOutputs_NoIngestSettings_KeepsTheDefaults()
    {
        var options = AwsIngestOptions.FromTerraformOutputs("""{ "ingest_region": { "value": "eu-central-1" } }""");

        options.AthenaWorkgroup.Should().Be("primary");
        options.AthenaOutputLocation.Should().BeNull();
        options.StateMachineArn.Should().BeNull();
        options.GlueJobName.Should().Be("ingest-glue-job");
    }

    [Theory]
    [InlineData("""{"ingest_settings": {"value": "text"}}""", "*'ingest_settings' must be an object*")]
    [InlineData("""{"ingest_settings": {"value": {"stateMachineArn": 3}}}""", "*'ingest_settings.stateMachineArn' must be a string*")]
    [InlineData("""{"ingest_settings": 3}""", "*'ingest_settings' has no \"value\"*")]
    public void FromTerraformOutputs_IngestSettingsOfTheWrongShape_ThrowsSayingWhat(string json, string message)
    {
        var act = () => AwsIngestOptions.FromTerraformOutputs(json);

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }
}
