using System.Collections.Concurrent;
using Actors.Runtime.Activation;
using Actors.Runtime.Messaging;

namespace Actors.Runtime.Catalog;

/// <summary>
/// The local activation directory: finds or creates the activation for a grain id (at most one per
/// id, or a pool for stateless workers) and hands it the message.
/// </summary>
internal sealed class ActivationCatalog(RuntimeServices runtime)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> activations = new();
    private readonly ConcurrentDictionary<GrainId, StatelessWorkerGroup> workers = new();
    private readonly ConcurrentDictionary<string, ActivationData> observers = new(StringComparer.Ordinal);
    private volatile bool stopping;

    public int Count => activations.Count + workers.Values.Sum(w => w.Count);

    public bool IsStopping => stopping;

    public void Deliver(Message message, GrainClassInfo info)
    {
        if (info.IsObserver)
        {
            DeliverToObserver(message);
            return;
        }

        if (info.IsStatelessWorker)
        {
            workers.GetOrAdd(message.Target, static (id, state) => new StatelessWorkerGroup(id, state.info, state.runtime), (info, runtime)).Deliver(message);
            return;
        }

        while (true)
        {
            if (!activations.TryGetValue(message.Target, out var activation))
            {
                if (stopping)
                {
                    message.TryComplete(new GrainRoutingException($"Silo {runtime.Options.SiloName} is shutting down; {message.Target} cannot be activated."));
                    return;
                }

                var created = new ActivationData(message.Target, info, runtime);
                activation = activations.GetOrAdd(message.Target, created);
                if (ReferenceEquals(activation, created))
                {
                    created.Activate();
                }
            }

            if (activation.Enqueue(message))
            {
                return;
            }

            // That activation has just gone away; make sure it is out of the directory and retry.
            activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(message.Target, activation));
        }
    }

    private void DeliverToObserver(Message message)
    {
        if (observers.TryGetValue(message.Target.Key, out var observer) && observer.Enqueue(message))
        {
            return;
        }

        message.TryComplete(new GrainRoutingException($"Observer {message.Target} no longer exists on this node."));
    }

    public ActivationData AddObserver(GrainId id, GrainClassInfo info, object instance)
    {
        var activation = new ActivationData(id, info, runtime);
        activation.ActivateWith(instance);
        observers[id.Key] = activation;
        return activation;
    }

    public bool TryGetObserver(GrainId id, out ActivationData activation) => observers.TryGetValue(id.Key, out activation!);

    public void RemoveObserver(GrainId id)
    {
        if (observers.TryRemove(id.Key, out var activation))
        {
            activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "Observer reference deleted."));
        }
    }

    public void Remove(ActivationData activation)
    {
        if (activation.WorkerGroup is { } group)
        {
            group.Remove(activation);
            return;
        }

        if (activation.ClassInfo.IsObserver)
        {
            observers.TryRemove(new KeyValuePair<string, ActivationData>(activation.GrainId.Key, activation));
            return;
        }

        activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.GrainId, activation));
    }

    /// <summary>Every live activation (grains and workers; not observers).</summary>
    public IEnumerable<ActivationData> All()
    {
        foreach (var pair in activations)
        {
            yield return pair.Value;
        }

        foreach (var pair in workers)
        {
            foreach (var worker in pair.Value.Snapshot())
            {
                yield return worker;
            }
        }
    }

    public bool TryGetActivation(GrainId id, out ActivationData activation) => activations.TryGetValue(id, out activation!);

    /// <summary>Periodic work: call deadlines and idle collection.</summary>
    public void RunMaintenance(long now, long idleTicks)
    {
        foreach (var activation in All())
        {
            activation.ExpireCalls(now);
            activation.CollectIfIdle(now, idleTicks);
        }

        foreach (var pair in observers)
        {
            pair.Value.ExpireCalls(now);
        }
    }

    /// <summary>Graceful stop: no new activations; every activation drains, deactivates and is gone.</summary>
    public async Task DeactivateAllAsync(CancellationToken cancellationToken)
    {
        stopping = true;
        var reason = new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The silo is shutting down.");
        var all = All().ToList();
        foreach (var activation in all)
        {
            activation.RequestDeactivation(reason);
        }

        await Task.WhenAll(all.Select(a => a.Deactivated)).WaitAsync(cancellationToken);
    }
}
