using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Postgres.Tests;

/// <summary>Keeps the event ids of everything logged, to assert which path the code took.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<int> _eventIds = new();

    public IReadOnlyCollection<int> EventIds => _eventIds;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _eventIds.Enqueue(eventId.Id);
}
