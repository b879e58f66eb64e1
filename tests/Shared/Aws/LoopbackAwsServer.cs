using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;

namespace Ingest.Aws.Tests.Protocol;

/// <summary>A request the loopback server received.</summary>
public sealed record RecordedRequest(string Method, string Path, Dictionary<string, string> Headers, string Body)
{
    public string Target => Headers.GetValueOrDefault("x-amz-target", string.Empty);

    public string Operation => Target[(Target.IndexOf('.', StringComparison.Ordinal) + 1)..];

    public JsonObject Json => (JsonObject)JsonNode.Parse(Body)!;

    /// <summary>Gets the parameters of a form-encoded body (the query protocol: STS).</summary>
    public Dictionary<string, string> Form => Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty, StringComparer.Ordinal);
}

/// <summary>What the loopback server answers.</summary>
public sealed record CannedResponse(int Status, string Body, string? ErrorType = null, string RequestId = "req-0001", string ContentType = "application/x-amz-json-1.1")
{
    /// <summary>An XML answer of a query-protocol service (STS answers <c>text/xml</c>).</summary>
    public static CannedResponse Xml(string body) => new(200, body, ContentType: "text/xml");

    public static CannedResponse Ok(string body = "{}") => new(200, body);

    public static CannedResponse Ok(JsonNode body) => new(200, body.ToJsonString());

    public static CannedResponse Error(int status, string type, string message = "error", string requestId = "req-err")
        => new(status, new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString(), RequestId: requestId);
}

/// <summary>
/// An HTTP server on a loopback port that records every request and answers from a handler: the tests check the wire format
/// the clients send and parse canned answers in the official response shapes. It is not AWS: requests are built and
/// responses parsed, no service logic runs.
/// </summary>
public sealed class LoopbackAwsServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private Func<RecordedRequest, CannedResponse> _handler = _ => CannedResponse.Ok();

    public LoopbackAwsServer()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static AWSCredentials Credentials { get; } = new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    /// <summary>Answers every request with <paramref name="handler"/>.</summary>
    public void Respond(Func<RecordedRequest, CannedResponse> handler) => _handler = handler;

    /// <summary>Answers each operation from a table (operation name → answer); others get 400 UnknownOperationException.</summary>
    public void Respond(Dictionary<string, Func<RecordedRequest, CannedResponse>> byOperation)
        => _handler = r => byOperation.TryGetValue(r.Operation, out var h) ? h(r) : CannedResponse.Error(400, "UnknownOperationException", r.Operation);

    /// <summary>Answers the next requests in order; the last answer repeats.</summary>
    public void RespondInOrder(params CannedResponse[] responses)
    {
        var index = -1;
        _handler = _ => responses[Math.Min(Interlocked.Increment(ref index), responses.Length - 1)];
    }

    /// <summary>Gets an HTTP client of this server's own: a pooled connection to an earlier server that had the same port would be dead.</summary>
    public HttpClient Http { get; } = new();

    public RecordedRequest[] Received(string operation) => Requests.Where(r => r.Operation == operation).ToArray();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Http.Dispose();
        try
        {
            // Close alone: Stop and then Close would unregister the port twice, and the second time the managed
            // listener binds the port again to look it up, which fails when another test's server has taken it.
            _listener.Close();
        }
        catch (HttpListenerException)
        {
            // Shutting down anyway.
        }

        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

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

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var key in context.Request.Headers.AllKeys)
            {
                headers[key!] = context.Request.Headers[key]!;
            }

            var recorded = new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body);
            Requests.Enqueue(recorded);
            CannedResponse answer;
            try
            {
                answer = _handler(recorded);
            }
            catch (Exception ex)
            {
                answer = CannedResponse.Error(500, "TestHandlerFailure", ex.ToString());
            }

            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = answer.ContentType;
            context.Response.Headers["x-amzn-RequestId"] = answer.RequestId;
            if (answer.ErrorType is not null)
            {
                context.Response.Headers["X-Amzn-ErrorType"] = answer.ErrorType;
            }

            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
