using Actors.Runtime.Activation;
using Actors.Runtime.Messaging;

namespace Actors.Runtime.Catalog;

/// <summary>
/// The local activations of one stateless worker id: a call goes to an idle worker, or a new one
/// while under the limit, or else to the least loaded.
/// </summary>
internal sealed class StatelessWorkerGroup(GrainId grainId, GrainClassInfo info, RuntimeServices runtime)
{
    private readonly Lock gate = new();
    private readonly List<ActivationData> members = [];

    private int MaxWorkers => info.MaxLocalWorkers > 0
        ? info.MaxLocalWorkers
        : runtime.Options.MaxStatelessWorkers > 0 ? runtime.Options.MaxStatelessWorkers : Environment.ProcessorCount;

    public int Count
    {
        get
        {
            lock (gate)
            {
                return members.Count;
            }
        }
    }

    public ActivationData[] Snapshot()
    {
        lock (gate)
        {
            return [.. members];
        }
    }

    public void Deliver(Message message)
    {
        while (true)
        {
            ActivationData? target = null;
            var created = false;
            lock (gate)
            {
                foreach (var member in members)
                {
                    if (member.IsIdle)
                    {
                        target = member;
                        break;
                    }
                }

                if (target is null && members.Count < MaxWorkers)
                {
                    if (runtime.Catalog.IsStopping)
                    {
                        message.TryComplete(new GrainRoutingException($"Silo {runtime.Options.SiloName} is shutting down; {grainId} cannot be activated."));
                        return;
                    }

                    target = new ActivationData(grainId, info, runtime, this);
                    members.Add(target);
                    created = true;
                }

                target ??= members.MinBy(m => m.Load);
            }

            if (created)
            {
                target!.Activate();
            }

            if (target is not null && target.Enqueue(message))
            {
                return;
            }

            if (target is not null)
            {
                Remove(target);
            }
        }
    }

    public void Remove(ActivationData member)
    {
        lock (gate)
        {
            members.Remove(member);
        }
    }
}
