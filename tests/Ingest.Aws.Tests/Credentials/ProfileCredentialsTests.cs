using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Ingest.Aws.Credentials;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Aws.Tests.Protocol;
using Ingest.Storage;

namespace Ingest.Aws.Tests.Credentials;

/// <summary>
/// Profiles of the shared AWS config a company uses, resolved by <see cref="AwsIngestOptions.Profile"/> through the SDK's own
/// profile chain (the path every client of <see cref="AwsIngest"/> takes): assume-role against a loopback STS that answers in
/// the official query-protocol shape (requests and answer checked against the STS API model), and SSO without a sign-in.
/// The config files (<see cref="SharedAwsConfig"/>) and the STS endpoint are process-wide, so this collection runs alone.
/// </summary>
[Collection(SharedConfigCollection.Name)]
public sealed class ProfileCredentialsTests : IAsyncLifetime
{
    private const string RoleArn = "arn:aws:iam::123456789012:role/ingest-writer";
    private const string AssumedKey = "ASIAINGESTEXAMPLE";
    private const string AssumedSecret = "assumed/secret/EXAMPLEKEY";
    private const string AssumedToken = "FwoGZXIvYXdzEXAMPLE//session+token==";

    private static readonly string[] Variables = ["AWS_ENDPOINT_URL_STS", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
    private readonly AwsApiModel _sts = AwsApiModel.Load("sts-2011-06-15");
    private readonly LoopbackAwsServer _server = new();

    // A start URL of this test's own: no cached token of a real sign-in in ~/.aws/sso/cache can match it.
    private readonly string _startUrl = $"https://ingest-test-{Guid.NewGuid():N}.awsapps.com/start";

    private static string AssumeRoleAnswer => $"""
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleResult>
            <AssumedRoleUser>
              <AssumedRoleId>AROA3XFRBF535PLBIFPI4:ingest-test</AssumedRoleId>
              <Arn>arn:aws:sts::123456789012:assumed-role/ingest-writer/ingest-test</Arn>
            </AssumedRoleUser>
            <Credentials>
              <AccessKeyId>{AssumedKey}</AccessKeyId>
              <SecretAccessKey>{AssumedSecret}</SecretAccessKey>
              <SessionToken>{AssumedToken}</SessionToken>
              <Expiration>2099-01-01T00:00:00Z</Expiration>
            </Credentials>
            <PackedPolicySize>6</PackedPolicySize>
          </AssumeRoleResult>
          <ResponseMetadata>
            <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
          </ResponseMetadata>
        </AssumeRoleResponse>
        """;

    public Task InitializeAsync()
    {
        SharedAwsConfig.Write(
            $"""
            [profile ingest-base]
            region = eu-central-1

            [profile ingest-role]
            role_arn = {RoleArn}
            source_profile = ingest-base
            role_session_name = ingest-test
            region = eu-central-1

            [profile ingest-sso]
            sso_session = corp
            sso_account_id = 123456789012
            sso_role_name = IngestWriter
            region = eu-central-1

            [sso-session corp]
            sso_start_url = {_startUrl}
            sso_region = eu-central-1
            sso_registration_scopes = sso:account:access

            [profile ingest-sso-legacy]
            sso_start_url = {_startUrl}
            sso_region = eu-central-1
            sso_account_id = 123456789012
            sso_role_name = IngestWriter
            region = eu-central-1
            """,
            """
            [ingest-base]
            aws_access_key_id = AKIDSOURCEPROFILE
            aws_secret_access_key = source/secret/EXAMPLEKEY
            """);
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", _server.Url);
        foreach (var name in Variables[1..])
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        // STS calls are form posts without X-Amz-Target; everything else is a JSON service (DynamoDB here).
        _server.Respond(r => r.Headers.ContainsKey("x-amz-target") ? CannedResponse.Ok("""{"TableNames":["ingest"]}""") : CannedResponse.Xml(AssumeRoleAnswer));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        SharedAwsConfig.Write(string.Empty, string.Empty);
        await _server.DisposeAsync();
    }

    [Fact]
    public void CannedAssumeRoleAnswer_IsTheOfficialShape()
        => _sts.CheckQueryOutput("AssumeRole", AssumeRoleAnswer).Should().BeEmpty();

    [Fact]
    public async Task Resolve_RoleArnWithSourceProfile_AssumesTheRoleAtStsWithTheSourceKeys()
    {
        var (credentials, region) = AwsCredentialResolver.Resolve(new AwsIngestOptions { Profile = "ingest-role" });

        region.Should().Be("eu-central-1");
        credentials.Should().BeOfType<ProfileCredentials>().Which.Inner.Should().BeOfType<AssumeRoleAWSCredentials>();
        var keys = await credentials!.GetCredentialsAsync();

        keys.AccessKey.Should().Be(AssumedKey);
        keys.SecretKey.Should().Be(AssumedSecret);
        keys.Token.Should().Be(AssumedToken);
        var call = _server.Requests.Should().ContainSingle().Subject;
        _sts.CheckQueryRequest(call).Should().BeEmpty(call.Body);
        call.Form["Action"].Should().Be("AssumeRole");
        call.Form["RoleArn"].Should().Be(RoleArn);
        call.Form["RoleSessionName"].Should().Be("ingest-test");
        call.Headers["Authorization"].Should().Contain("Credential=AKIDSOURCEPROFILE/", "the source profile's keys sign the AssumeRole call");
    }

    [Fact]
    public async Task AwsIngestClients_RoleArnProfile_SignWithTheAssumedRolesSessionKeys()
    {
        var options = new AwsIngestOptions { Profile = "ingest-role", Bucket = "lake", DynamoDbServiceUrl = _server.Url, S3ServiceUrl = _server.Url };
        var (s3, dynamoDb) = AwsIngest.CreateClients(options);
        using (s3)
        using (dynamoDb)
        {
            var tables = await dynamoDb.ListTablesAsync(new ListTablesRequest());
            tables.TableNames.Should().Equal("ingest");
        }

        _server.Requests.Where(r => !r.Headers.ContainsKey("x-amz-target")).Should().ContainSingle("the role is assumed once, then its keys are reused");
        var call = _server.Requests.Single(r => r.Headers.ContainsKey("x-amz-target"));
        call.Headers["Authorization"].Should().Contain($"Credential={AssumedKey}/");
        call.Headers["X-Amz-Security-Token"].Should().Be(AssumedToken);
    }

    [Fact]
    public async Task AwsIngestClients_DefaultChainWithARoleAwsProfile_SignWithTheAssumedRolesSessionKeys()
    {
        Environment.SetEnvironmentVariable("AWS_PROFILE", "ingest-role");
        var (s3, dynamoDb) = AwsIngest.CreateClients(new AwsIngestOptions { Bucket = "lake", DynamoDbServiceUrl = _server.Url, S3ServiceUrl = _server.Url });
        using (s3)
        using (dynamoDb)
        {
            await dynamoDb.ListTablesAsync(new ListTablesRequest());
        }

        _server.Requests.Where(r => !r.Headers.ContainsKey("x-amz-target")).Should().ContainSingle().Which.Form["RoleArn"].Should().Be(RoleArn);
        _server.Requests.Single(r => r.Headers.ContainsKey("x-amz-target")).Headers["Authorization"].Should().Contain($"Credential={AssumedKey}/");
    }

    [Theory]
    [InlineData("ingest-sso")]
    [InlineData("ingest-sso-legacy")]
    public async Task Resolve_SsoProfileWithoutSignIn_IsTheSdksSsoCredentialsAndAsksForALogin(string profile)
    {
        var (credentials, _) = AwsCredentialResolver.Resolve(new AwsIngestOptions { Profile = profile });

        var sso = credentials.Should().BeOfType<ProfileCredentials>().Which.Inner.Should().BeOfType<SSOAWSCredentials>().Subject;
        sso.AccountId.Should().Be("123456789012");
        sso.RoleName.Should().Be("IngestWriter");
        sso.StartUrl.Should().Be(_startUrl);
        var failure = await credentials!.Invoking(c => c.GetCredentialsAsync()).Should().ThrowAsync<AwsCredentialsException>();
        failure.Which.Message.Should().Contain($"`aws sso login --profile {profile}`");
        failure.Which.InnerException.Should().BeOfType<AmazonClientException>().Which.Message.Should().Contain("No valid SSO Token");
        credentials.Invoking(c => c.GetCredentials()).Should().Throw<AwsCredentialsException>().WithMessage($"*aws sso login --profile {profile}*");
        _server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Lake_SsoProfileWithoutSignIn_FailsWithTheLoginAdviceAndIsNotTransient()
    {
        var options = new AwsIngestOptions { Profile = "ingest-sso", Bucket = "lake", S3ServiceUrl = _server.Url, DynamoDbServiceUrl = _server.Url, ForcePathStyle = true };
        var lake = AwsIngest.CreateBackends(options).Lake;

        var failure = await lake.Invoking(l => l.GetAsync(LakeZone.Raw, "orders/a.csv")).Should().ThrowAsync<IngestException>();

        failure.Which.Message.Should().Contain("`aws sso login --profile ingest-sso`");
        failure.Which.IsTransient.Should().BeFalse("signing in, not retrying, cures it");
        _server.Requests.Should().BeEmpty("no request leaves without credentials");
    }

    [Fact]
    public async Task Lake_DefaultChainWithAnSsoAwsProfile_FailsWithTheLoginAdvice()
    {
        Environment.SetEnvironmentVariable("AWS_PROFILE", "ingest-sso");
        var options = new AwsIngestOptions { Bucket = "lake", S3ServiceUrl = _server.Url, DynamoDbServiceUrl = _server.Url, ForcePathStyle = true };
        var lake = AwsIngest.CreateBackends(options).Lake;

        var failure = await lake.Invoking(l => l.GetAsync(LakeZone.Raw, "orders/a.csv")).Should().ThrowAsync<IngestException>();

        failure.Which.Message.Should().Contain("`aws sso login --profile ingest-sso`");
        failure.Which.IsTransient.Should().BeFalse();
        _server.Requests.Should().BeEmpty();
    }

    [Fact]
    public void Resolve_UnknownProfile_NamesTheProfileAndTheConfigFile()
    {
        var act = () => AwsCredentialResolver.Resolve(new AwsIngestOptions { Profile = "nope" });

        act.Should().Throw<ArgumentException>().WithMessage($"*Profile 'nope'*{SharedAwsConfig.ConfigFile}*");
    }
}

/// <summary>Tests that set the process-wide AWS config variables run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SharedConfigCollection
{
    public const string Name = "shared AWS config";
}
