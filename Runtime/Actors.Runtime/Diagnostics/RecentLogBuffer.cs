using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Diagnostics;

/// <summary>A warning or error kept for operators (the dashboard's live log stream).</summary>
/// <param name="Exception">The exception's type and message only: stack traces stay in the real logs.</param>
public sealed record LogRecord(long Id, DateTimeOffset At, string Level, string Category, int EventId, string Message, string? Exception, string Source);

/// <summary>
/// The last <see cref="Capacity"/> warnings and errors this process logged, in memory. Cheap on the
/// logging path (one lock, no allocation beyond the record) and bounded, so it can stay on always.
/// </summary>
public sealed class RecentLogBuffer
{
    public const int Capacity = 200;

    private readonly Lock gate = new();
    private readonly LogRecord[] ring = new LogRecord[Capacity];
    private readonly TimeProvider clock;
    private long nextId;

    public RecentLogBuffer(TimeProvider? clock = null) => this.clock = clock ?? TimeProvider.System;

    /// <summary>The id of the newest record (0 when none).</summary>
    public long LastId => Volatile.Read(ref nextId);

    public void Add(LogLevel level, string category, int eventId, string message, Exception? exception)
    {
        lock (gate)
        {
            var id = ++nextId;
            ring[(id - 1) % Capacity] = new LogRecord(
                id,
                clock.GetUtcNow(),
                level.ToString(),
                category,
                eventId,
                message.Length > 2000 ? message[..2000] + "…" : message,
                exception is null ? null : $"{exception.GetType().FullName}: {exception.Message}",
                string.Empty);
        }
    }

    /// <summary>Records newer than <paramref name="afterId"/>, oldest first, each tagged with <paramref name="source"/>.</summary>
    public ImmutableArray<LogRecord> Since(long afterId, string source)
    {
        lock (gate)
        {
            var first = Math.Max(Math.Max(afterId + 1, nextId - Capacity + 1), 1);
            var builder = ImmutableArray.CreateBuilder<LogRecord>((int)Math.Max(0, nextId - first + 1));
            for (var id = first; id <= nextId; id++)
            {
                builder.Add(ring[(id - 1) % Capacity] with { Source = source });
            }

            return builder.MoveToImmutable();
        }
    }
}

/// <summary>Feeds <see cref="RecentLogBuffer"/> with every Warning-or-worse log entry of the process.</summary>
internal sealed class RecentLogLoggerProvider(RecentLogBuffer buffer) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new BufferLogger(buffer, categoryName);

    public void Dispose()
    {
    }

    private sealed class BufferLogger(RecentLogBuffer buffer, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Warning and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                buffer.Add(logLevel, category, eventId.Id, formatter(state, exception), exception);
            }
        }
    }
}

public static class RecentLogServiceCollectionExtensions
{
    /// <summary>Keeps the process's recent warnings and errors in a <see cref="RecentLogBuffer"/> (idempotent).</summary>
    public static IServiceCollection AddRecentLogCapture(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new RecentLogBuffer(sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, RecentLogLoggerProvider>());
        return services;
    }
}
