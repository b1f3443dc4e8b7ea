using Actors.Runtime.Catalog;
using Actors.Runtime.Membership;
using Actors.Runtime.Messaging;

namespace Actors.Runtime.Cluster;

/// <summary>
/// Routes a call to the silo that owns its grain on the consistent-hash ring: here, or over the
/// network. Observers are routed to the node that created them; stateless workers stay local.
/// </summary>
internal sealed class SiloRouter(RuntimeServices runtime, MessageCenter messages, Func<ClusterView> view, SiloAddress self) : IMessageRouter
{
    /// <summary>How many times a call may be forwarded between silos that disagree on ownership.</summary>
    private const int MaxHops = 2;

    /// <summary>Hop cap while this silo is leaving and views may disagree for a moment.</summary>
    private const int LeavingHopLimit = 8;

    private readonly string selfText = self.ToString();

    public void Route(Message message)
    {
        try
        {
            RouteCore(message);
        }
        catch (Exception exception)
        {
            ClusterLog.RoutingFailed(runtime.Logger, exception, message.MethodName, message.Target);
            message.TryComplete(exception);
        }
    }

    private void RouteCore(Message message)
    {
        var target = message.Target;
        if (target.Type == GrainClassInfo.ObserverTypeName)
        {
            RouteToObserver(message);
            return;
        }

        if (target.Type == Management.SiloControlGrain.TypeName)
        {
            // Per-silo control grains live on the silo their key names.
            if (target.Key == selfText)
            {
                runtime.GrainRuntime.DeliverLocally(message);
            }
            else
            {
                var silo = SiloAddress.Parse(target.Key);
                messages.SendRequest(silo.Host, silo.Port, message);
            }

            return;
        }

        if (runtime.ClassMap.TryGetByTypeName(target.Type, out var info) && info.IsStatelessWorker)
        {
            runtime.GrainRuntime.DeliverLocally(message);
            return;
        }

        var owner = view().OwnerOf(target);
        if (owner is null)
        {
            if (runtime.Catalog.IsStopping)
            {
                message.TryComplete(new SiloUnavailableException($"No active silo can take {target}: the cluster has no active members."));
                return;
            }

            // Joining, before the first view: this silo is the only candidate.
            runtime.GrainRuntime.DeliverLocally(message);
            return;
        }

        if (owner == self || (message.FromRemote && message.Hops >= MaxHops))
        {
            // A leaving silo takes no new activations: pass the call on to the owner it sees now.
            if (runtime.Catalog.IsStopping && owner is not null && owner != self && message.Hops < LeavingHopLimit
                && !runtime.Catalog.TryGetActivation(target, out _))
            {
                message.Hops++;
                messages.SendRequest(owner.Host, owner.Port, message);
                return;
            }

            runtime.GrainRuntime.DeliverLocally(message);
            return;
        }

        if (message.FromRemote)
        {
            message.Hops++;
        }

        messages.SendRequest(owner.Host, owner.Port, message);
    }

    private void RouteToObserver(Message message)
    {
        var key = message.Target.Key;
        var separator = key.IndexOf('|', StringComparison.Ordinal);
        var node = separator < 0 ? "" : key[..separator];
        if (node == selfText || separator < 0)
        {
            runtime.GrainRuntime.DeliverLocally(message);
            return;
        }

        if (ObserverAddress.TryParseClient(node, out var clientId, out var gateway))
        {
            if (gateway == selfText)
            {
                if (!messages.TrySendToClient(clientId, message))
                {
                    message.TryComplete(new GrainRoutingException($"Client {clientId} is no longer connected to this gateway; observer {message.Target} is gone."));
                }

                return;
            }

            node = gateway;
        }

        var silo = SiloAddress.Parse(node);
        if (view().StatusOf(silo) is SiloStatus.Dead)
        {
            message.TryComplete(new GrainRoutingException($"Observer {message.Target} lived on {silo}, which is dead."));
            return;
        }

        messages.SendRequest(silo.Host, silo.Port, message);
    }
}

/// <summary>Observer keys name their node: "&lt;silo address&gt;|id" or "client:&lt;id&gt;@&lt;gateway silo address&gt;|id".</summary>
internal static class ObserverAddress
{
    /// <summary>A client's observer node; <paramref name="clientId"/> already starts with "client:".</summary>
    public static string ClientNode(string clientId, string gateway) => $"{clientId}@{gateway}";

    public static bool TryParseClient(string node, out string clientId, out string gateway)
    {
        clientId = gateway = "";
        if (!node.StartsWith("client:", StringComparison.Ordinal))
        {
            return false;
        }

        var at = node.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        clientId = node[..at];
        gateway = node[(at + 1)..];
        return true;
    }
}
