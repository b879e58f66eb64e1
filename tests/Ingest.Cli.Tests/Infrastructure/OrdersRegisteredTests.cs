namespace Ingest.Cli.Tests.Infrastructure;

/// <summary>A base for tests that start from an initialized home with <see cref="TestDefinitions.Orders"/> registered (in-memory backends).</summary>
public abstract class OrdersRegisteredTests : IAsyncLifetime, IDisposable
{
    /// <summary>Gets the CLI under test.</summary>
    protected CliHarness Cli { get; } = CliHarness.InMemory();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await Cli.InitAsync();
        var added = await Cli.RunAsync("datasets", "add", Cli.WriteFile("orders.json", TestDefinitions.Orders));
        added.ExitCode.Should().Be(0, added.ToString());
    }

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
        Cli.Dispose();
        GC.SuppressFinalize(this);
    }
}
