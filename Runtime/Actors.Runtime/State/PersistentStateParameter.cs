using System.Reflection;
using Actors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Runtime.State;

/// <summary>A grain constructor parameter marked [PersistentState], resolved once per grain class.</summary>
internal sealed class PersistentStateParameter
{
    private static readonly MethodInfo CreateMethod = typeof(PersistentStateParameter).GetMethod(nameof(CreateFactory), BindingFlags.NonPublic | BindingFlags.Static)!;

    private PersistentStateParameter(string stateName, string storageName, Type stateType, Func<GrainStateKey, IGrainStorage, IServiceProvider, IStateOwner, IPersistentStateLoader> factory)
    {
        StateName = stateName;
        StorageName = storageName;
        StateType = stateType;
        Factory = factory;
    }

    public string StateName { get; }

    public string StorageName { get; }

    public Type StateType { get; }

    public Func<GrainStateKey, IGrainStorage, IServiceProvider, IStateOwner, IPersistentStateLoader> Factory { get; }

    public static PersistentStateParameter Create(Type grainClass, ParameterInfo parameter, PersistentStateAttribute attribute)
    {
        var type = parameter.ParameterType;
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IPersistentState<>))
        {
            throw new InvalidOperationException($"{grainClass.FullName}: parameter '{parameter.Name}' has [PersistentState] but is not an IPersistentState<T>.");
        }

        var stateType = type.GetGenericArguments()[0];
        var factory = (Func<GrainStateKey, IGrainStorage, IServiceProvider, IStateOwner, IPersistentStateLoader>)CreateMethod
            .MakeGenericMethod(stateType)
            .Invoke(null, null)!;
        return new PersistentStateParameter(attribute.StateName, attribute.StorageName, stateType, factory);
    }

    private static Func<GrainStateKey, IGrainStorage, IServiceProvider, IStateOwner, IPersistentStateLoader> CreateFactory<TState>()
        where TState : new()
    {
        var serializer = new GrainStateSerializer<TState>();
        return (key, storage, services, owner) =>
            new PersistentState<TState>(key, storage, serializer, services.GetService<IStateUpgrader<TState>>(), owner);
    }
}

/// <summary>The activation that owns a state: told when a write lost an ETag race.</summary>
internal interface IStateOwner
{
    void OnInconsistentState();
}

/// <summary>Lets the runtime load every state of an activation before OnActivateAsync.</summary>
internal interface IPersistentStateLoader
{
    Task ReadStateAsync(CancellationToken cancellationToken);
}
