using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using Actors.Grains.Sessions;
using Actors.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Grains.Tests.Sessions;

internal static class SessionTestKit
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static JsonElement Payload(int n) => Json($$"""{"n":{{n}}}""");

    public static async Task<(ISessionGrain Session, string Id, string Owner)> CreateAsync(
        IGrainFactory grains, string visibility = Visibility.Private, string? owner = null)
    {
        var id = Ids.New("s");
        owner ??= Ids.New("owner");
        var session = grains.GetGrain<ISessionGrain>(id);
        await session.CreateAsync(owner, "Test session", visibility);
        return (session, id, owner);
    }

    public static async Task<DomainException> ThrowsCodeAsync(string code, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<DomainException>(action);
        Assert.Equal(code, error.Code);
        return error;
    }

    public static ISessionEventStore Store(TestCluster cluster, int silo = 0) =>
        cluster.Silos[silo].Services.GetRequiredService<ISessionEventStore>();

    public static GrainId SessionGrainId(string id) => GrainId.Create("session", id);

    /// <summary>Every event of a session, paging through the log.</summary>
    public static async Task<List<SessionEvent>> ReadAllAsync(ISessionGrain session, string callerId, long afterSeq = 0)
    {
        var all = new List<SessionEvent>();
        while (true)
        {
            var page = await session.ReadEventsAsync(callerId, afterSeq, Limits.EventsPageMax);
            all.AddRange(page.Items);
            if (page.Items.Length == 0 || page.Items[^1].Seq >= page.LastSeq)
            {
                return all;
            }

            afterSeq = page.Items[^1].Seq;
        }
    }

    /// <summary>Advances the manual clock past the idle timeout and waits until the session is deactivated.</summary>
    public static async Task DeactivateAsync(TestCluster cluster, string sessionId)
    {
        var grainId = SessionGrainId(sessionId);
        Assert.True(cluster.Primary.IsActive(grainId));
        cluster.Time.Advance(TimeSpan.FromMinutes(16));
        await TestWait.UntilAsync(() => !cluster.Primary.IsActive(grainId), Bound, "the session should be collected when idle");
    }
}

/// <summary>An observer that records what a session pushes, as a WebHost node would receive it.</summary>
internal sealed class RecordingObserver : ISessionObserver
{
    public ConcurrentQueue<ImmutableArray<SessionEvent>> Batches { get; } = new();

    public ConcurrentQueue<PresenceDiff> Presence { get; } = new();

    public int Closed => closed;

    private int closed;

    public IEnumerable<SessionEvent> Events => Batches.SelectMany(b => b);

    public Task OnEventsAsync(string sessionId, ImmutableArray<SessionEvent> events)
    {
        Batches.Enqueue(events);
        return Task.CompletedTask;
    }

    public Task OnPresenceAsync(string sessionId, PresenceDiff diff)
    {
        Presence.Enqueue(diff);
        return Task.CompletedTask;
    }

    public Task OnClosedAsync(string sessionId)
    {
        Interlocked.Increment(ref closed);
        return Task.CompletedTask;
    }
}
