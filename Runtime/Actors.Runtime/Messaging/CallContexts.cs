using Actors.Invocation;
using Actors.Runtime.Activation;

namespace Actors.Runtime.Messaging;

/// <summary>An incoming call walking through silo-wide filters, then the grain's own filter, then the grain.</summary>
internal sealed class IncomingCallContext(ActivationData activation, Message message, IIncomingGrainCallFilter[] filters) : IIncomingGrainCallContext
{
    private int next;
    private bool grainFilterDone = !activation.ClassInfo.IsIncomingFilter;

    public object? Grain => activation.Instance;

    public GrainId TargetId => activation.GrainId;

    public GrainId? SourceId => message.Sender;

    public GrainRequest Request => message.Request;

    public string InterfaceName => message.Request.Method.InterfaceName;

    public string MethodName => message.Request.Method.Name;

    public object? Result
    {
        get => message.Request.Result;
        set => message.Request.Result = value;
    }

    public Task Invoke()
    {
        if (next < filters.Length)
        {
            return filters[next++].Invoke(this);
        }

        if (!grainFilterDone)
        {
            grainFilterDone = true;
            return ((IIncomingGrainCallFilter)activation.Instance!).Invoke(this);
        }

        return message.Request.InvokeAsync(activation.Instance!).AsTask();
    }
}

/// <summary>An outgoing call walking through the node's outgoing filters; the last step sends it and waits.</summary>
internal sealed class OutgoingCallContext(Message message, IOutgoingGrainCallFilter[] filters, Action<Message> send) : IOutgoingGrainCallContext
{
    private int next;

    public object? Grain => null;

    public GrainId TargetId => message.Target;

    public GrainId? SourceId => message.Sender;

    public GrainRequest Request => message.Request;

    public string InterfaceName => message.Request.Method.InterfaceName;

    public string MethodName => message.Request.Method.Name;

    public object? Result
    {
        get => message.Request.Result;
        set => message.Request.Result = value;
    }

    public Task Invoke()
    {
        if (next < filters.Length)
        {
            return filters[next++].Invoke(this);
        }

        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        message.OnCompleted = (_, error) =>
        {
            if (error is null)
            {
                completion.TrySetResult();
            }
            else
            {
                completion.TrySetException(error);
            }
        };
        // Filters may have changed RequestContext: the callee sees what they left.
        message.RequestContext = RequestContext.Snapshot;
        send(message);
        return message.Request.Method.IsOneWay ? Task.CompletedTask : completion.Task;
    }

    /// <summary>Runs the pipeline, then completes the original caller with its outcome.</summary>
    public async Task RunAsync()
    {
        try
        {
            await Invoke().ConfigureAwait(false);
            message.Request.CompleteCaller(null);
        }
        catch (Exception exception)
        {
            message.Request.CompleteCaller(exception);
        }
    }
}
