using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Ingest.Aws.Protocol;

namespace Ingest.Aws.Tests.Protocol;

/// <summary>The AWS JSON 1.1 client against a loopback server: wire format, SigV4, retries and error mapping.</summary>
public sealed class AwsJsonClientTests : IAsyncLifetime
{
    private readonly LoopbackAwsServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SendAsync_Request_IsAwsJson11WithTargetAndBody()
    {
        _server.Respond(_ => CannedResponse.Ok("""{"Table":{"Name":"orders"}}"""));
        var client = _server.Client(AwsJsonService.Glue);

        var response = await client.SendAsync("GetTable", new JsonObject { ["DatabaseName"] = "sales", ["Name"] = "orders" });

        response["Table"]!["Name"]!.GetValue<string>().Should().Be("orders");
        var request = _server.Requests.Single();
        request.Method.Should().Be("POST");
        request.Path.Should().Be("/");
        request.Headers["X-Amz-Target"].Should().Be("AWSGlue.GetTable");
        request.Headers["Content-Type"].Should().Be("application/x-amz-json-1.1");
        JsonNode.DeepEquals(request.Json, new JsonObject { ["DatabaseName"] = "sales", ["Name"] = "orders" }).Should().BeTrue();
    }

    [Theory]
    [InlineData("glue", "AWSGlue")]
    [InlineData("athena", "AmazonAthena")]
    [InlineData("states", "AWSStepFunctions")]
    public async Task SendAsync_Authorization_IsSigV4ForServiceAndRegion(string signingName, string prefix)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 20, 7, 2, TimeSpan.Zero));
        var client = _server.Client(new AwsJsonService(signingName, prefix), timeProvider: clock, region: "eu-west-1");

        await client.SendAsync("Op", new JsonObject { ["A"] = 1 });

        var request = _server.Requests.Single();
        request.Headers["X-Amz-Date"].Should().Be("20261125T200702Z");
        var authorization = request.Headers["Authorization"];
        authorization.Should().StartWith($"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-1/{signingName}/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=");
        authorization.Should().EndWith("Signature=" + ExpectedSignature(request, "eu-west-1", signingName, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
    }

    [Fact]
    public async Task SendAsync_SessionCredentials_SendsAndSignsToken()
    {
        var client = _server.Client(AwsJsonService.Athena, credentials: new SessionAWSCredentials("ASIAEXAMPLE", "secret", "token-123"));

        await client.SendAsync("GetQueryExecution", new JsonObject { ["QueryExecutionId"] = "q" });

        var request = _server.Requests.Single();
        request.Headers["X-Amz-Security-Token"].Should().Be("token-123");
        request.Headers["Authorization"].Should().Contain("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,");
        request.Headers["Authorization"].Should().EndWith("Signature=" + ExpectedSignature(request, "eu-central-1", "athena", "secret"));
    }

    [Fact]
    public async Task SendAsync_Throttled_RetriesThenSucceeds()
    {
        _server.RespondInOrder(
            CannedResponse.Error(400, "ThrottlingException", "Rate exceeded"),
            CannedResponse.Error(429, "TooManyRequestsException"),
            CannedResponse.Ok("""{"JobRunId":"jr_1"}"""));
        var client = _server.Client(AwsJsonService.Glue);

        var response = await client.SendAsync("StartJobRun", new JsonObject { ["JobName"] = "j" }, idempotent: false);

        response["JobRunId"]!.GetValue<string>().Should().Be("jr_1");
        _server.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task SendAsync_ThrottledBeyondRetries_ThrowsTransientWithCodeAndRequestId()
    {
        _server.Respond(_ => CannedResponse.Error(400, "com.amazonaws.glue#ThrottlingException", "Rate exceeded", "rid-42"));
        var client = _server.Client(AwsJsonService.Glue, maxErrorRetries: 2);

        var act = () => client.SendAsync("GetTable", []);

        var error = (await act.Should().ThrowAsync<AwsServiceException>()).Which;
        error.ErrorCode.Should().Be("ThrottlingException");
        error.RequestId.Should().Be("rid-42");
        error.StatusCode.Should().Be(400);
        error.Service.Should().Be("glue");
        error.Operation.Should().Be("GetTable");
        error.IsTransient.Should().BeTrue();
        error.Message.Should().Be("glue GetTable failed: ThrottlingException (400): Rate exceeded. Request id rid-42. The failure is transient: retry later.");
        _server.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task SendAsync_ClientError_IsNotRetriedAndNotTransient()
    {
        _server.Respond(_ => CannedResponse.Error(400, "EntityNotFoundException", "Table orders not found."));
        var client = _server.Client(AwsJsonService.Glue);

        var act = () => client.SendAsync("GetTable", []);

        var error = (await act.Should().ThrowAsync<AwsServiceException>()).Which;
        error.ErrorCode.Should().Be("EntityNotFoundException");
        error.IsTransient.Should().BeFalse();
        error.Should().BeAssignableTo<IngestException>();
        _server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task SendAsync_ServerErrorOnIdempotentOperation_IsRetried()
    {
        _server.RespondInOrder(CannedResponse.Error(500, "InternalServiceException"), CannedResponse.Ok());
        var client = _server.Client(AwsJsonService.Glue);

        await client.SendAsync("GetJobRun", []);

        _server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task SendAsync_ServerErrorOnStartWithoutToken_IsNotRetried()
    {
        _server.RespondInOrder(CannedResponse.Error(500, "InternalServiceException"), CannedResponse.Ok());
        var client = _server.Client(AwsJsonService.Glue);

        var act = () => client.SendAsync("StartJobRun", [], idempotent: false);

        (await act.Should().ThrowAsync<AwsServiceException>()).Which.IsTransient.Should().BeTrue();
        _server.Requests.Should().ContainSingle("a 5xx may have started the run: a retry could start a second one");
    }

    [Fact]
    public async Task SendAsync_ErrorTypeOnlyInHeader_IsRead()
    {
        _server.Respond(_ => new CannedResponse(400, string.Empty, ErrorType: "InvalidRequestException:http://internal.amazon.com/"));
        var client = _server.Client(AwsJsonService.Athena);

        var act = () => client.SendAsync("StartQueryExecution", []);

        (await act.Should().ThrowAsync<AwsServiceException>()).Which.ErrorCode.Should().Be("InvalidRequestException");
    }

    [Fact]
    public async Task SendAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var client = _server.Client(AwsJsonService.Glue);

        var act = () => client.SendAsync("GetTable", [], cancellationToken: cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task SendAsync_Unreachable_ThrowsTransientIngestException()
    {
        var client = new AwsJsonClient(AwsJsonService.Glue, new AwsJsonClientSettings
        {
            Credentials = LoopbackAwsServer.Credentials,
            Region = "eu-central-1",
            Endpoint = new Uri("http://127.0.0.1:1/"),
            MaxErrorRetries = 1,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        });

        var act = () => client.SendAsync("GetTable", []);

        var error = (await act.Should().ThrowAsync<IngestException>()).Which;
        error.IsTransient.Should().BeTrue();
        error.Message.Should().StartWith("glue GetTable failed: http://127.0.0.1:1/ could not be reached");
    }

    [Theory]
    [InlineData("com.amazonaws.glue#EntityNotFoundException", "EntityNotFoundException")]
    [InlineData("InvalidRequestException:http://internal.amazon.com/coral/com.amazon.coral.validate/", "InvalidRequestException")]
    [InlineData("ExecutionDoesNotExist", "ExecutionDoesNotExist")]
    [InlineData("", null)]
    public void ErrorCode_StripsNamespaceAndSuffix(string type, string? expected)
        => AwsJsonClient.ErrorCode(type).Should().Be(expected);

    [Theory]
    [InlineData("eu-central-1", "https://glue.eu-central-1.amazonaws.com/")]
    [InlineData("cn-north-1", "https://glue.cn-north-1.amazonaws.com.cn/")]
    public void Create_Region_UsesRegionalEndpoint(string region, string expected)
    {
        var options = new AwsIngestOptions { Region = region, Bucket = "lake", Credentials = LoopbackAwsServer.Credentials };

        AwsJsonClientFactory.Create(options, AwsJsonService.Glue, null).Endpoint.Should().Be(new Uri(expected));
    }

    [Fact]
    public void Create_ServiceUrl_Overrides()
    {
        var options = new AwsIngestOptions { Bucket = "lake", Credentials = LoopbackAwsServer.Credentials, GlueServiceUrl = "http://127.0.0.1:9999" };

        AwsJsonClientFactory.Create(options, AwsJsonService.Glue, options.GlueServiceUrl).Endpoint.Should().Be(new Uri("http://127.0.0.1:9999/"));
    }

    [Fact]
    public void Validate_BadServiceOptions_NameTheField()
    {
        var options = new AwsIngestOptions { Bucket = "lake", AthenaServiceUrl = "ftp://x", AthenaOutputLocation = "results/", StateMachineArn = "ingest" };

        var act = options.Validate;

        act.Should().Throw<ArgumentException>()
            .WithMessage("*AthenaServiceUrl*")
            .WithMessage("*AthenaOutputLocation*")
            .WithMessage("*StateMachineArn*");
    }

    /// <summary>SigV4 computed independently of the SDK from what the server received.</summary>
    private static string ExpectedSignature(RecordedRequest request, string region, string service, string secret)
    {
        var amzDate = request.Headers["X-Amz-Date"];
        var date = amzDate[..8];
        var signedHeaders = request.Headers["Authorization"].Split("SignedHeaders=")[1].Split(',')[0].Split(';');
        var canonicalHeaders = string.Concat(signedHeaders.Select(h => $"{h}:{request.Headers[h].Trim()}\n"));
        var canonical = $"POST\n/\n\n{canonicalHeaders}\n{string.Join(';', signedHeaders)}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(request.Body)))}";
        var scope = $"{date}/{region}/{service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, toSign));

        static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
        static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);
    }
}
