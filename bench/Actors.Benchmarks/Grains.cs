namespace Actors.Benchmarks;

/// <summary>The smallest useful grain call: an int in, the same int out.</summary>
public interface IPingGrain : IGrainWithIntegerKey
{
    Task<int> PingAsync(int payload);
}

/// <summary>Non-reentrant, no state, no fields of its own: what "a small grain" costs.</summary>
public sealed class PingGrain : Grain, IPingGrain
{
    public Task<int> PingAsync(int payload) => Task.FromResult(payload);
}

/// <summary>A grain that persists a small document on every call.</summary>
public interface IStateGrain : IGrainWithStringKey
{
    Task WriteAsync(int value);
}

/// <summary>The persisted document (about 120 bytes of JSON).</summary>
public sealed class BenchState
{
    public int Counter { get; set; }

    public string Owner { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public List<string> Tags { get; set; } = [];

    /// <summary>The same document for the grain and for the raw upsert.</summary>
    public static void Fill(BenchState state, string key, int value)
    {
        state.Counter = value;
        state.Owner = "user-" + key;
        state.Status = (value & 1) == 0 ? "online" : "away";
        if (state.Tags.Count == 0)
        {
            state.Tags.AddRange(["bench", "postgres", "jsonb"]);
        }
    }
}

public sealed class StateGrain([PersistentState("bench")] IPersistentState<BenchState> state) : Grain, IStateGrain
{
    public async Task WriteAsync(int value)
    {
        BenchState.Fill(state.State, this.GetPrimaryKeyString(), value);
        await state.WriteStateAsync();
    }
}
