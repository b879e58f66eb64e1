using Microsoft.Extensions.Logging;

namespace Ingest.Benchmarks;

/// <summary>Remembers when each engine event was logged last.</summary>
internal sealed class EventClock : ILoggerFactory, ILogger
{
    private readonly Dictionary<int, DateTime> _times = [];

    public DateTime At(int eventId)
    {
        lock (_times)
        {
            return _times.TryGetValue(eventId, out var at) ? at : throw new InvalidOperationException($"The engine logged no event {eventId}.");
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_times)
        {
            _times[eventId.Id] = DateTime.UtcNow;
        }
    }

    public void Dispose()
    {
    }
}
