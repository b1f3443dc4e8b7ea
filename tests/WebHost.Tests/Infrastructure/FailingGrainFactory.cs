using System.Reflection;

namespace Actors.WebHost.Tests.Infrastructure;

/// <summary>An <see cref="IGrainFactory"/> whose grains all fail with <see cref="Failure"/>: the cluster is away.</summary>
public sealed class FailingGrainFactory : IGrainFactory
{
    public Func<Exception> Failure { get; set; } = () => new SiloUnavailableException("The silo is unavailable.");

    public TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey => Create<TGrainInterface>();

    public TGrainInterface GetGrain<TGrainInterface>(Guid key) where TGrainInterface : IGrainWithGuidKey => Create<TGrainInterface>();

    public TGrainInterface GetGrain<TGrainInterface>(long key) where TGrainInterface : IGrainWithIntegerKey => Create<TGrainInterface>();

    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
        throw Failure();

    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver
    {
    }

    private T Create<T>()
    {
        var proxy = DispatchProxy.Create<T, FailingGrain>();
        ((FailingGrain)(object)proxy!).Owner = this;
        return proxy;
    }

    public class FailingGrain : DispatchProxy
    {
        internal FailingGrainFactory Owner { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw Owner.Failure();
    }
}
