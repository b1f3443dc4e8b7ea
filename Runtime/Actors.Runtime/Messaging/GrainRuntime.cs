using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Actors.Invocation;
using Actors.Runtime.Catalog;

namespace Actors.Runtime.Messaging;

/// <summary>Decides where a message goes (set when the silo joins a cluster or runs as a client).</summary>
internal interface IMessageRouter
{
    void Route(Message message);
}

/// <summary>
/// The grain factory and the sending half of every reference on this node: stamps a call with its
/// context, chain and deadline, runs outgoing filters, and routes it to an activation. Routing is
/// local in a single silo; a remote hop replaces <see cref="Dispatch"/> only.
/// </summary>
internal sealed class GrainRuntime : IGrainFactory, IGrainReferenceRuntime
{
    private static readonly GrainClassInfo ObserverRoute = new(typeof(object));

    private readonly RuntimeServices runtime;
    private readonly IOutgoingGrainCallFilter[] outgoingFilters;
    private readonly ConcurrentDictionary<Type, (GrainInterfaceDescriptor Descriptor, string TypeName)> references = new();
    private readonly ConditionalWeakTable<IGrainObserver, StrongBox<GrainId>> observerIds = [];
    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool isStarted;

    public GrainRuntime(RuntimeServices runtime, IOutgoingGrainCallFilter[] outgoingFilters)
    {
        this.runtime = runtime;
        this.outgoingFilters = outgoingFilters;
    }

    /// <summary>Calls made before the silo finished starting wait for this.</summary>
    public void MarkStarted()
    {
        isStarted = true;
        started.TrySetResult();
    }

    public TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        return Reference<TGrainInterface>(key);
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid key) where TGrainInterface : IGrainWithGuidKey =>
        Reference<TGrainInterface>(GrainId.FormatKey(key));

    public TGrainInterface GetGrain<TGrainInterface>(long key) where TGrainInterface : IGrainWithIntegerKey =>
        Reference<TGrainInterface>(GrainId.FormatKey(key));

    private TGrainInterface Reference<TGrainInterface>(string key)
    {
        var (descriptor, typeName) = references.GetOrAdd(typeof(TGrainInterface), static (type, self) =>
            (Descriptor(type), self.TypeNameOf(type)), this);
        return (TGrainInterface)(object)descriptor.CreateReference(this, new GrainId(typeName, key));
    }

    private string TypeNameOf(Type grainInterface)
    {
        if (runtime.ClassMap.TryForInterface(grainInterface, out var info))
        {
            return info.TypeName;
        }

        if (ExternalTypeNames?.Invoke(grainInterface) is { } external)
        {
            return external;
        }

        if (grainInterface.GetCustomAttributes(typeof(GrainTypeAttribute), inherit: false) is [GrainTypeAttribute attribute, ..])
        {
            return attribute.Name;
        }

        return runtime.ClassMap.ForInterface(grainInterface).TypeName;
    }

    private static GrainInterfaceDescriptor Descriptor(Type type)
    {
        if (GrainTypeRegistry.TryGetInterface(type, out var descriptor))
        {
            return descriptor;
        }

        // typeof() alone does not run a module's initializer: run it, so its proxies register.
        RuntimeHelpers.RunModuleConstructor(type.Module.ModuleHandle);
        return GrainTypeRegistry.TryGetInterface(type, out descriptor)
            ? descriptor
            : throw new GrainRoutingException(
                $"No generated proxy for {type.FullName}. The project that declares it must reference Actors.Runtime.CodeGen as an analyzer.");
    }

    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj)
        where TGrainObserverInterface : IGrainObserver
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj is not TGrainObserverInterface)
        {
            throw new ArgumentException($"The object does not implement {typeof(TGrainObserverInterface).FullName}.", nameof(obj));
        }

        var node = NodeIdentity;
        var id = observerIds.GetValue(obj, _ => new StrongBox<GrainId>(new GrainId(GrainClassInfo.ObserverTypeName, $"{node}|{Guid.NewGuid():N}"))).Value;
        if (!runtime.Catalog.TryGetObserver(id, out _))
        {
            runtime.Catalog.AddObserver(id, runtime.ClassMap.ObserverInfo(obj.GetType()), obj);
        }

        return (TGrainObserverInterface)(object)Descriptor(typeof(TGrainObserverInterface)).CreateReference(this, id);
    }

    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj)
        where TGrainObserverInterface : IGrainObserver
    {
        if (observerIds.TryGetValue(obj, out var id))
        {
            observerIds.Remove(obj);
            runtime.Catalog.RemoveObserver(id.Value);
        }
    }

    public void SendRequest(GrainReference target, GrainRequest request)
    {
        var current = RuntimeContext.Current ?? (SynchronizationContext.Current as Activation.ActivationSynchronizationContext)?.Activation.ExclusiveMessage;
        var oneWay = request.Method.IsOneWay;
        var now = runtime.CoarseNow;
        var message = new Message(request, target.GrainId)
        {
            Sender = current?.Target,
            Chain = current is null || oneWay ? null : new CallChain(current.Target, current.IsTimerTick ? "[timer]" : current.Request.Method.Name, current.Chain),
            RequestContext = RequestContext.Snapshot,
            Deadline = now + runtime.CallTimeoutTicks,
            SentAt = runtime.Metrics.StartTimestamp(),
        };

        runtime.Metrics.MessageSent(target.GrainId.Type);
        if (outgoingFilters.Length > 0)
        {
            _ = new OutgoingCallContext(message, outgoingFilters, Dispatch).RunAsync();
            return;
        }

        Dispatch(message);
    }

    /// <summary>This node's name in observer ids ("local" until it joins a cluster or connects as a client).</summary>
    public string NodeIdentity { get; set; } = "local";

    /// <summary>Grain type names for interfaces with no local implementation (a client learns them from its gateway).</summary>
    public Func<Type, string?>? ExternalTypeNames { get; set; }

    /// <summary>Where messages go: this silo only, or the owner in the cluster (set by clustering).</summary>
    public IMessageRouter? Router { get; set; }

    /// <summary>Hands a message to the activation that owns its target, wherever it is.</summary>
    public void Dispatch(Message message)
    {
        if (!isStarted)
        {
            started.Task.ContinueWith(
                static (_, state) =>
                {
                    var (self, pending) = ((GrainRuntime, Message))state!;
                    self.Dispatch(pending);
                },
                (this, message),
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
            return;
        }

        if (Router is { } router)
        {
            router.Route(message);
            return;
        }

        DeliverLocally(message);
    }

    /// <summary>Delivers to an activation in this process.</summary>
    public void DeliverLocally(Message message)
    {
        // Argument isolation: a local callee gets its own copy of anything not proven immutable.
        if (!message.FromRemote && !message.ArgumentsIsolated)
        {
            try
            {
                message.Request.CopyArguments(runtime.Copier);
            }
            catch (Exception exception)
            {
                message.TryComplete(exception);
                return;
            }

            message.ArgumentsIsolated = true;
        }

        var type = message.Target.Type;
        if (type == GrainClassInfo.ObserverTypeName)
        {
            runtime.Catalog.Deliver(message, ObserverRoute);
        }
        else if (runtime.ClassMap.TryGetByTypeName(type, out var info))
        {
            runtime.Catalog.Deliver(message, info);
        }
        else
        {
            message.TryComplete(new GrainRoutingException($"No grain class has the type name '{type}' on this silo (target {message.Target})."));
        }
    }
}
