namespace Ingest.Aws.Tests.Protocol;

/// <summary>
/// A test class over the loopback server whose every request is checked against an official API model when the test ends
/// (canned answers, request building and parsing only: no service logic runs).
/// </summary>
public abstract class ModelCheckedServer : IAsyncLifetime
{
    private readonly ModelCheckedLoopback _loopback;

    protected ModelCheckedServer(string modelName)
    {
        _loopback = new ModelCheckedLoopback(modelName);
    }

    protected LoopbackAwsServer Server => _loopback.Server;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _loopback.DisposeAsync().AsTask();
}

/// <summary>
/// A loopback server whose every request is checked against an official API model when it is disposed (for a test class
/// that derives something else, such as a contract suite).
/// </summary>
public sealed class ModelCheckedLoopback(string modelName) : IAsyncDisposable
{
    private readonly AwsApiModel _model = AwsApiModel.Load(modelName);

    public LoopbackAwsServer Server { get; } = new();

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var request in Server.Requests)
            {
                _model.CheckRequest(request).Should().BeEmpty($"{request.Operation} sent {request.Body}");
            }
        }
        finally
        {
            await Server.DisposeAsync();
        }
    }
}
