using Actors.Runtime.Storage;

namespace Actors.Runtime.State;

/// <summary>One [PersistentState] of one activation, bound to a storage provider.</summary>
internal sealed class PersistentState<TState> : IPersistentState<TState>, IPersistentStateLoader
    where TState : new()
{
    private readonly GrainStateKey key;
    private readonly IGrainStorage storage;
    private readonly GrainStateSerializer<TState> serializer;
    private readonly IStateUpgrader<TState>? upgrader;
    private readonly IStateOwner owner;

    public PersistentState(GrainStateKey key, IGrainStorage storage, GrainStateSerializer<TState> serializer, IStateUpgrader<TState>? upgrader, IStateOwner owner)
    {
        this.key = key;
        this.storage = storage;
        this.serializer = serializer;
        this.upgrader = upgrader;
        this.owner = owner;
    }

    public TState State { get; set; } = new();

    /// <summary>
    /// Starts a provider call with no synchronization context, so the provider's own awaits do not
    /// queue as turns of this activation; only the final continuation (our await) comes back here.
    /// </summary>
    private static T OutsideTurn<T>(Func<T> start)
    {
        var context = SynchronizationContext.Current;
        if (context is null)
        {
            return start();
        }

        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return start();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    public string? Etag { get; private set; }

    public bool RecordExists { get; private set; }

    public async Task ReadStateAsync(CancellationToken cancellationToken = default)
    {
        var stored = await OutsideTurn(() => storage.ReadAsync(key, cancellationToken)).ConfigureAwait(true);
        if (stored is null)
        {
            State = new TState();
            Etag = null;
            RecordExists = false;
            return;
        }

        State = serializer.Deserialize(stored.Json, stored.SchemaVersion, upgrader, key.ToString());
        Etag = stored.ETag;
        RecordExists = true;
    }

    public async Task WriteStateAsync(CancellationToken cancellationToken = default)
    {
        var json = GrainStateSerializer<TState>.Serialize(State);
        try
        {
            var expected = Etag;
            Etag = await OutsideTurn(() => storage.WriteAsync(key, json, serializer.SchemaVersion, expected, cancellationToken)).ConfigureAwait(true);
            RecordExists = true;
        }
        catch (InconsistentStateException)
        {
            owner.OnInconsistentState();
            throw;
        }
    }

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var expected = Etag;
            await OutsideTurn(() => storage.ClearAsync(key, expected, cancellationToken)).ConfigureAwait(true);
        }
        catch (InconsistentStateException)
        {
            owner.OnInconsistentState();
            throw;
        }

        Etag = null;
        RecordExists = false;
        State = new TState();
    }
}
