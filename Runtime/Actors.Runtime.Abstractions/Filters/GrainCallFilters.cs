using Actors.Invocation;

namespace Actors;

/// <summary>One grain call as seen by a call filter.</summary>
public interface IGrainCallContext
{
    /// <summary>The grain (or observer) instance: set for incoming calls, null for outgoing ones.</summary>
    object? Grain { get; }

    GrainId TargetId { get; }

    /// <summary>The calling grain, when the call comes from a grain.</summary>
    GrainId? SourceId { get; }

    GrainRequest Request { get; }

    string InterfaceName { get; }

    string MethodName { get; }

    /// <summary>The result after <see cref="Invoke"/> completes; a filter may replace it.</summary>
    object? Result { get; set; }

    /// <summary>Runs the next filter, or the call itself.</summary>
    Task Invoke();
}

public interface IIncomingGrainCallContext : IGrainCallContext;

public interface IOutgoingGrainCallContext : IGrainCallContext;

/// <summary>Wraps every call a grain receives (register in DI, or implement on the grain class).</summary>
public interface IIncomingGrainCallFilter
{
    Task Invoke(IIncomingGrainCallContext context);
}

/// <summary>Wraps every call made through a grain reference on this node (register in DI).</summary>
public interface IOutgoingGrainCallFilter
{
    Task Invoke(IOutgoingGrainCallContext context);
}
