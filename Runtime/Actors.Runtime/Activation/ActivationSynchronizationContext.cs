namespace Actors.Runtime.Activation;

/// <summary>
/// Routes await continuations of grain code back into the activation's own queue, so that even
/// interleaved requests run one at a time, without a thread per grain.
/// </summary>
internal sealed class ActivationSynchronizationContext(ActivationData activation) : SynchronizationContext
{
    public ActivationData Activation { get; } = activation;

    public override void Post(SendOrPostCallback d, object? state) => Activation.EnqueueWork(d, state);

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronous Send into a grain activation would block its turn; use Post.");

    public override SynchronizationContext CreateCopy() => this;
}
