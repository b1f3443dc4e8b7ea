using Actors.Runtime.Configuration;
using Actors.Runtime.Tests.Grains;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Tests.Cluster;

/// <summary>Says where it lives and keeps a persisted counter.</summary>
public interface IPlacedGrain : IGrainWithStringKey
{
    Task<string> WhereAsync();

    Task<int> AddAsync(int amount);

    Task<int> GetAsync();

    Task StartReminderAsync(TimeSpan period);

    Task SubscribeAsync(INumberObserver observer);

    Task<int> NotifyAsync(int value);
}

public sealed class PlacedState
{
    public int Total { get; set; }
}

[GrainType("placed")]
public sealed class PlacedGrain(
    [PersistentState("placed")] IPersistentState<PlacedState> state,
    IOptions<SiloOptions> silo) : Grain, IPlacedGrain, IRemindable
{
    private readonly ObserverManager<INumberObserver> observers = new(TimeSpan.FromMilliseconds(800), TimeProvider.System);

    public Task<string> WhereAsync() => Task.FromResult(silo.Value.SiloName);

    public async Task<int> AddAsync(int amount)
    {
        state.State.Total += amount;
        await state.WriteStateAsync();
        return state.State.Total;
    }

    public Task<int> GetAsync() => Task.FromResult(state.State.Total);

    public async Task StartReminderAsync(TimeSpan period) => await RegisterOrUpdateReminder("tick", period, period);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Probe.For(GrainId.Key).Record($"reminder:{reminderName}:{silo.Value.SiloName}");
        return Task.CompletedTask;
    }

    public Task SubscribeAsync(INumberObserver observer)
    {
        observers.Subscribe(observer);
        return Task.CompletedTask;
    }

    public Task<int> NotifyAsync(int value) => Task.FromResult(observers.Notify(o => o.OnNumberAsync(value)));
}
