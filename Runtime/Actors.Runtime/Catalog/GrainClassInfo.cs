using System.Reflection;
using Actors.Runtime.State;

namespace Actors.Runtime.Catalog;

/// <summary>What the runtime knows about one grain class, computed once at startup.</summary>
internal sealed class GrainClassInfo
{
    private readonly ConstructorInvoker? constructor;
    private readonly Func<IServiceProvider, ActivationContextArgs, object?>[] parameterFactories;

    public GrainClassInfo(Type grainClass, string typeName)
    {
        GrainClass = grainClass;
        TypeName = typeName;
        IsReentrant = grainClass.IsDefined(typeof(ReentrantAttribute), inherit: true);
        var worker = grainClass.GetCustomAttribute<StatelessWorkerAttribute>(inherit: true);
        IsStatelessWorker = worker is not null;
        MaxLocalWorkers = worker?.MaxLocalWorkers ?? 0;
        IsIncomingFilter = typeof(IIncomingGrainCallFilter).IsAssignableFrom(grainClass);

        var ctor = grainClass.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault()
            ?? throw new InvalidOperationException($"Grain class {grainClass.FullName} needs a public constructor.");
        constructor = ConstructorInvoker.Create(ctor);
        var parameters = ctor.GetParameters();
        parameterFactories = new Func<IServiceProvider, ActivationContextArgs, object?>[parameters.Length];
        var states = new List<PersistentStateParameter>();
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            if (p.GetCustomAttribute<PersistentStateAttribute>() is { } stateAttribute)
            {
                var stateParameter = PersistentStateParameter.Create(grainClass, p, stateAttribute);
                states.Add(stateParameter);
                parameterFactories[i] = (_, args) => args.CreateState(stateParameter);
            }
            else if (p.ParameterType == typeof(IGrainContext))
            {
                parameterFactories[i] = static (_, args) => args.Context;
            }
            else
            {
                var type = p.ParameterType;
                parameterFactories[i] = (services, _) => services.GetService(type)
                    ?? throw new InvalidOperationException($"Grain class {grainClass.FullName} needs a {type.FullName} but none is registered in the service container.");
            }
        }

        StateParameters = states;
    }

    /// <summary>Observers: an existing object, never constructed by the runtime.</summary>
    public GrainClassInfo(Type observerClass)
    {
        GrainClass = observerClass;
        TypeName = ObserverTypeName;
        IsObserver = true;
        parameterFactories = [];
        StateParameters = [];
    }

    public const string ObserverTypeName = "sys.observer";

    public Type GrainClass { get; }

    /// <summary>The stable grain type name that identities and persisted state use.</summary>
    public string TypeName { get; }

    public bool IsReentrant { get; }

    public bool IsStatelessWorker { get; }

    public int MaxLocalWorkers { get; }

    public bool IsObserver { get; }

    public bool IsIncomingFilter { get; }

    public IReadOnlyList<PersistentStateParameter> StateParameters { get; }

    public object CreateInstance(IServiceProvider services, ActivationContextArgs args)
    {
        if (constructor is null)
        {
            throw new InvalidOperationException($"{GrainClass.FullName} is not constructed by the runtime.");
        }

        var values = new object?[parameterFactories.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = parameterFactories[i](services, args);
        }

        using (Actors.GrainConstruction.Enter(args.Context))
        {
            return constructor.Invoke(values.AsSpan());
        }
    }

    /// <summary>"SessionGrain" → "session"; "Counter" → "counter".</summary>
    public static string DeriveTypeName(Type grainClass)
    {
        if (grainClass.GetCustomAttribute<GrainTypeAttribute>(inherit: false) is { } attribute)
        {
            return attribute.Name;
        }

        var name = grainClass.Name;
        if (name.EndsWith("Grain", StringComparison.Ordinal) && name.Length > "Grain".Length)
        {
            name = name[..^"Grain".Length];
        }

        return name.ToLowerInvariant();
    }
}

/// <summary>What a grain constructor's special parameters are built from.</summary>
internal sealed class ActivationContextArgs(IGrainContext context, Func<PersistentStateParameter, object> stateFactory)
{
    public IGrainContext Context { get; } = context;

    public object CreateState(PersistentStateParameter parameter) => stateFactory(parameter);
}
