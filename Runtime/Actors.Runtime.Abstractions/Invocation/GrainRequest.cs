using System.ComponentModel;

namespace Actors.Invocation;

/// <summary>How a grain method may be scheduled, from its attributes.</summary>
[Flags]
public enum GrainMethodOptions
{
    None = 0,
    OneWay = 1,
    ReadOnly = 2,
    AlwaysInterleave = 4,
}

/// <summary>Static facts about one grain interface method. Emitted by the code generator.</summary>
public sealed class GrainMethodDescriptor(Type interfaceType, string interfaceName, int methodId, string name, GrainMethodOptions options)
{
    public Type InterfaceType { get; } = interfaceType;

    /// <summary>The interface's full name, used in messages and statistics.</summary>
    public string InterfaceName { get; } = interfaceName;

    /// <summary>Stable id: a hash of the method's name and parameter types.</summary>
    public int MethodId { get; } = methodId;

    public string Name { get; } = name;

    public GrainMethodOptions Options { get; } = options;

    public bool IsOneWay => (Options & GrainMethodOptions.OneWay) != 0;

    public bool IsReadOnly => (Options & GrainMethodOptions.ReadOnly) != 0;

    public bool IsAlwaysInterleave => (Options & GrainMethodOptions.AlwaysInterleave) != 0;

    public override string ToString() => $"{InterfaceName}.{Name}";
}

/// <summary>Marker result type for methods returning <see cref="Task"/> or <see cref="ValueTask"/>.</summary>
public readonly record struct VoidResult;

/// <summary>Copies values that cross a grain call and are not known to be immutable.</summary>
public interface IDeepCopier
{
    T Copy<T>(T value);
}

/// <summary>
/// One call of one grain method with its arguments: the code generator emits a sealed subclass per
/// method. The runtime executes it against the target without reflection.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public abstract class GrainRequest
{
    public abstract GrainMethodDescriptor Method { get; }

    public abstract int ArgumentCount { get; }

    public abstract object? GetArgument(int index);

    public abstract void SetArgument(int index, object? value);

    /// <summary>The method's CancellationToken argument, when it has one.</summary>
    public virtual CancellationToken CancellationToken
    {
        get => default;
        set { }
    }

    public abstract Type ResultType { get; }

    /// <summary>The result recorded by <see cref="InvokeAsync"/>, boxed (for filters and transports).</summary>
    public abstract object? Result { get; set; }

    /// <summary>Runs the method on <paramref name="target"/> and records its result.</summary>
    public abstract ValueTask InvokeAsync(object target);

    /// <summary>Completes the caller's task with the recorded result, or with <paramref name="exception"/>.</summary>
    public abstract void CompleteCaller(Exception? exception);

    /// <summary>Replaces arguments that are not known to be immutable with copies (local calls only).</summary>
    public virtual void CopyArguments(IDeepCopier copier) { }

    /// <summary>Replaces a result that is not known to be immutable with a copy (local calls only).</summary>
    public virtual void CopyResult(IDeepCopier copier) { }

    public override string ToString() => Method.ToString();
}

/// <summary>A request whose method produces <typeparamref name="TResult"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public abstract class GrainRequest<TResult> : GrainRequest
{
    private TaskCompletionSource<TResult>? promise;
    private TResult? result;

    public sealed override Type ResultType => typeof(TResult);

    public sealed override object? Result
    {
        get => result;
        set => result = value is null ? default : (TResult)value;
    }

    /// <summary>False when the result type is mutable and must be copied on local calls.</summary>
    protected virtual bool ResultIsImmutable => true;

    /// <summary>Generated: calls the interface method on the target.</summary>
    protected abstract ValueTask<TResult> InvokeCore(object target);

    /// <summary>Creates the task the caller awaits. Call once, before the request is sent.</summary>
    public Task<TResult> CreatePromise()
    {
        promise = new TaskCompletionSource<TResult>();
        return promise.Task;
    }

    public sealed override ValueTask InvokeAsync(object target)
    {
        var pending = InvokeCore(target);
        if (pending.IsCompletedSuccessfully)
        {
            result = pending.Result;
            return default;
        }

        return AwaitResult(pending);
    }

    private async ValueTask AwaitResult(ValueTask<TResult> pending) => result = await pending;

    public sealed override void CompleteCaller(Exception? exception)
    {
        if (promise is not { } p)
        {
            return;
        }

        if (exception is null)
        {
            p.TrySetResult(result!);
        }
        else if (exception is OperationCanceledException oce)
        {
            p.TrySetCanceled(oce.CancellationToken);
        }
        else
        {
            p.TrySetException(exception);
        }
    }

    public sealed override void CopyResult(IDeepCopier copier)
    {
        if (!ResultIsImmutable)
        {
            result = copier.Copy(result);
        }
    }
}
