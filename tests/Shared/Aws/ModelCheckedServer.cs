namespace Ingest.Aws.Tests.Protocol;

/// <summary>
/// A test class over the loopback server whose every request is checked against an official API model when the test ends
/// (canned answers, request building and parsing only: no service logic runs).
/// </summary>
public abstract class ModelCheckedServer : IAsyncLifetime
{
    private readonly AwsApiModel _model;

    protected ModelCheckedServer(string modelName)
    {
        _model = AwsApiModel.Load(modelName);
    }

    protected LoopbackAwsServer Server { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
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
