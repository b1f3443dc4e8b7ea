using System.Text.Json.Nodes;

namespace Actors.Runtime.Tests.Postgres;

public interface IPgCounterGrain : IGrainWithStringKey
{
    Task<int> IncrementAsync();

    Task<int> GetAsync();

    Task DeactivateAsync();
}

public sealed class PgCounterState
{
    public int Count { get; set; }

    public string Note { get; set; } = "";
}

[GrainType("pgcounter")]
public sealed class PgCounterGrain([PersistentState("counter")] IPersistentState<PgCounterState> state) : Grain, IPgCounterGrain
{
    public async Task<int> IncrementAsync()
    {
        state.State.Count++;
        state.State.Note = $"count is {state.State.Count}";
        await state.WriteStateAsync();
        return state.State.Count;
    }

    public Task<int> GetAsync() => Task.FromResult(state.State.Count);

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

public interface IProfileGrain : IGrainWithStringKey
{
    Task<string> DescribeAsync();
}

/// <summary>Version 2 split version 1's single "name" into first and last names.</summary>
[StateVersion(2)]
public sealed class ProfileState
{
    public string FirstName { get; set; } = "";

    public string LastName { get; set; } = "";
}

public sealed class ProfileUpgrader : IStateUpgrader<ProfileState>
{
    public JsonNode? Upgrade(JsonNode? stored, int storedVersion)
    {
        if (storedVersion == 1 && stored is JsonObject v1)
        {
            var parts = (v1["name"]?.GetValue<string>() ?? "").Split(' ', 2);
            return new JsonObject { ["firstName"] = parts[0], ["lastName"] = parts.Length > 1 ? parts[1] : "" };
        }

        return stored;
    }
}

[GrainType("profile")]
public sealed class ProfileGrain([PersistentState("profile")] IPersistentState<ProfileState> state) : Grain, IProfileGrain
{
    public Task<string> DescribeAsync() => Task.FromResult($"{state.State.LastName}, {state.State.FirstName}");
}
