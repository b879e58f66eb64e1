using System.Net;
using System.Net.Sockets;
using System.Text;
using Ingest.Aws.Tests.Infrastructure;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Testing;

namespace Ingest.Aws.Tests.EndToEnd;

/// <summary>
/// Retries of throttled or failed AWS calls are counted in the run's record. A proxy in front of the real dynalite fails
/// the first attempt of every third DynamoDB call with a 500 InternalServerError (a retryable error); the SDK retries,
/// the run succeeds with exactly the expected rows, and the run record counts the retries.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class RetryCountingTests(AwsServers servers) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("ingest-aws-retries-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task RunAsync_DynamoDbCallsFailOnceAndAreRetried_TheRunSucceedsAndCountsTheRetries()
    {
        using var proxy = new FaultInjectingProxy(servers.Options().DynamoDbServiceUrl!, failEvery: 3);
        var options = servers.Options();
        options.DynamoDbServiceUrl = proxy.Url;
        var backends = AwsIngest.CreateBackends(options);
        var id = IngestTestData.NewDatasetId("sales");
        await backends.Registry.RegisterAsync(Orders.Definition(id));
        var csv = Path.Combine(_work, "orders.csv");
        var expected = Orders.WriteCsv(csv, 2_000, badEvery: 0);

        var result = await new IngestPipelineBuilder(backends).ForDataset(id).Build().RunAsync([IngestInput.FromFile(csv)]);

        proxy.Injected.Should().BeGreaterThan(0, "the proxy must have failed some calls for the test to mean anything");
        result.Run.Status.Should().Be(RunStatus.Succeeded);
        result.Run.RowsWritten.Should().Be(expected.Count);
        result.Run.Counters.Should().ContainKey("aws.dynamodb.retries");
        result.Run.Counters["aws.dynamodb.retries"].Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(proxy.Injected);
        result.Run.Counters["aws.retries"].Should().BeGreaterThanOrEqualTo(result.Run.Counters["aws.dynamodb.retries"]);
        var recorded = await AwsIngest.CreateBackends(servers.Options()).Ledger.GetRunAsync(id, result.Run.RunId);
        recorded!.Counters.Should().BeEquivalentTo(result.Run.Counters, "the ledger keeps the counters with the run");
    }

    /// <summary>Forwards HTTP to a real server, answering the first attempt of every n-th call with a DynamoDB 500.</summary>
    private sealed class FaultInjectingProxy : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly HttpClient _client = new();
        private readonly Uri _target;
        private readonly int _failEvery;
        private readonly HashSet<string> _failed = [];
        private readonly CancellationTokenSource _stop = new();
        private int _calls;
        private int _injected;

        public FaultInjectingProxy(string target, int failEvery)
        {
            _target = new Uri(target);
            _failEvery = failEvery;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public int Injected => Volatile.Read(ref _injected);

        private async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                _ = Task.Run(() => HandleAsync(context));
            }
        }

        private async Task HandleAsync(HttpListenerContext context)
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var invocation = context.Request.Headers["amz-sdk-invocation-id"] ?? Guid.NewGuid().ToString();
            bool fail;
            lock (_failed)
            {
                fail = Interlocked.Increment(ref _calls) % _failEvery == 0 && _failed.Add(invocation);
            }

            if (fail)
            {
                Interlocked.Increment(ref _injected);
                var error = Encoding.UTF8.GetBytes("{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"injected by the test proxy\"}");
                context.Response.StatusCode = 500;
                context.Response.ContentType = "application/x-amz-json-1.0";
                context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
                await context.Response.OutputStream.WriteAsync(error);
                context.Response.Close();
                return;
            }

            using var forward = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), new Uri(_target, context.Request.RawUrl))
            {
                Content = new ByteArrayContent(body.ToArray()),
            };
            foreach (var name in context.Request.Headers.AllKeys.OfType<string>())
            {
                var value = context.Request.Headers[name];
                if (!forward.Headers.TryAddWithoutValidation(name, value))
                {
                    forward.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            forward.Headers.Host = _target.Authority;
            using var response = await _client.SendAsync(forward);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                if (!string.Equals(header.Key, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && !string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Headers[header.Key] = string.Join(",", header.Value);
                }
            }

            var bytes = await response.Content.ReadAsByteArrayAsync();
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Close();
            _client.Dispose();
            _stop.Dispose();
        }
    }
}
