namespace Actors;

/// <summary>
/// A state write found that the stored ETag is not the one this activation last saw: another
/// activation wrote first. The runtime deactivates the activation so that the next call reloads.
/// </summary>
public sealed class InconsistentStateException : Exception
{
    public InconsistentStateException() : this("The stored state changed since it was read.") { }

    public InconsistentStateException(string message) : base(message) { }

    public InconsistentStateException(string message, Exception inner) : base(message, inner) { }

    public InconsistentStateException(string message, string? storedEtag, string? currentEtag)
        : base(message)
    {
        StoredEtag = storedEtag;
        CurrentEtag = currentEtag;
    }

    /// <summary>The ETag found in storage (null when no record exists).</summary>
    public string? StoredEtag { get; }

    /// <summary>The ETag the activation held when it tried to write.</summary>
    public string? CurrentEtag { get; }
}

/// <summary>Storage could not be reached or failed; the call that needed it fails with this.</summary>
public sealed class GrainStorageException : Exception
{
    public GrainStorageException() : this("Grain storage failed.") { }

    public GrainStorageException(string message) : base(message) { }

    public GrainStorageException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// A call would wait on itself: a non-reentrant grain that is waiting for a call it made is being
/// called again by that call chain (A → B → A). Raised at once instead of hanging until timeout.
/// </summary>
public sealed class GrainCallCycleException : InvalidOperationException
{
    public GrainCallCycleException() : this("A grain call cycle was detected.") { }

    public GrainCallCycleException(string message) : base(message) { }

    public GrainCallCycleException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The runtime could not deliver a call (unknown grain type, shutting down, no activation).</summary>
public sealed class GrainRoutingException : Exception
{
    public GrainRoutingException() : this("The call could not be routed.") { }

    public GrainRoutingException(string message) : base(message) { }

    public GrainRoutingException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>An exception thrown by a grain on another node whose type this node does not know.</summary>
public sealed class RemoteGrainException : Exception
{
    public RemoteGrainException() : this("Exception", "A remote grain failed.") { }

    public RemoteGrainException(string message) : this("Exception", message) { }

    public RemoteGrainException(string message, Exception inner) : base(message, inner) => RemoteType = "Exception";

    public RemoteGrainException(string remoteType, string message) : base($"{remoteType}: {message}") => RemoteType = remoteType;

    /// <summary>Full name of the exception type thrown remotely.</summary>
    public string RemoteType { get; }
}

/// <summary>A silo could not be reached, or the connection to it was lost while a call was in flight.</summary>
public sealed class SiloUnavailableException : Exception
{
    public SiloUnavailableException() : this("The silo is unavailable.") { }

    public SiloUnavailableException(string message) : base(message) { }

    public SiloUnavailableException(string message, Exception inner) : base(message, inner) { }
}
