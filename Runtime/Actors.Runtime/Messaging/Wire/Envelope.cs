using System.Collections.Immutable;

namespace Actors.Runtime.Messaging.Wire;

internal enum WireKind : byte
{
    /// <summary>First frame on a connection: who is calling (silo address or client id).</summary>
    Hello = 1,

    /// <summary>Answer to Hello: the responder's address and its grain manifest (interface → type name).</summary>
    Welcome = 2,

    Request = 3,
    Response = 4,
    Error = 5,
    Ping = 6,
    Pong = 7,

    /// <summary>The receiver cannot take the call (not the owner, shutting down); the caller may retry once elsewhere.</summary>
    Rejection = 8,
}

/// <summary>One message on the wire between silos, or between a client and its gateway.</summary>
internal sealed class Envelope
{
    public WireKind Kind { get; set; }

    /// <summary>Pairs a response with its request on one connection.</summary>
    public long CorrelationId { get; set; }

    public GrainId Target { get; set; }

    public GrainId? Sender { get; set; }

    public string? InterfaceName { get; set; }

    public int MethodId { get; set; }

    public bool OneWay { get; set; }

    /// <summary>Milliseconds the caller still waits (0 = no deadline information).</summary>
    public int RemainingMs { get; set; }

    /// <summary>How many times this request was forwarded between silos.</summary>
    public byte Hops { get; set; }

    public CallChain? Chain { get; set; }

    public ImmutableDictionary<string, object>? RequestContext { get; set; }

    /// <summary>W3C traceparent of the caller's activity, when there is one.</summary>
    public string? TraceParent { get; set; }

    /// <summary>Arguments, result or error as JSON; Hello/Welcome carry their own JSON.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    public override string ToString() => $"{Kind} #{CorrelationId} → {Target} {InterfaceName}:{MethodId}";
}
