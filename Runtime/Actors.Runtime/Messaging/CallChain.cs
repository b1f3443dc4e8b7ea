using System.Text;

namespace Actors.Runtime.Messaging;

/// <summary>
/// The grains waiting on a call, innermost last, as an immutable linked list. A non-reentrant
/// grain that appears in the chain of a call addressed to it would wait on itself.
/// </summary>
internal sealed class CallChain(GrainId grainId, string method, CallChain? parent)
{
    public GrainId GrainId { get; } = grainId;

    public string Method { get; } = method;

    public CallChain? Parent { get; } = parent;

    public bool Contains(GrainId id)
    {
        for (var node = this; node is not null; node = node.Parent)
        {
            if (node.GrainId == id)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Renders "a.M → b.N → target.Method" from the outermost caller inwards.</summary>
    public string Describe(GrainId target, string method)
    {
        var nodes = new List<CallChain>();
        for (var node = this; node is not null; node = node.Parent)
        {
            nodes.Add(node);
        }

        var sb = new StringBuilder();
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            sb.Append(nodes[i].GrainId).Append(' ').Append(nodes[i].Method).Append(" → ");
        }

        return sb.Append(target).Append(' ').Append(method).ToString();
    }
}
