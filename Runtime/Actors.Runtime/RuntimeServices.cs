using Actors.Runtime.Activation;
using Actors.Runtime.Catalog;
using Actors.Runtime.Configuration;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Messaging;
using Actors.Runtime.Serialization;
using Actors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace Actors.Runtime;

/// <summary>The silo's shared parts, wired once and handed to every activation.</summary>
internal sealed class RuntimeServices
{
    private readonly IIncomingGrainCallFilter[] incomingFilters;

    public RuntimeServices(
        IServiceProvider services,
        IOptions<SiloOptions> options,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IMeterFactory meterFactory,
        IEnumerable<IIncomingGrainCallFilter> incomingFilters,
        IEnumerable<IOutgoingGrainCallFilter> outgoingFilters)
    {
        Services = services;
        Options = options.Value;
        TimeProvider = timeProvider;
        Logger = loggerFactory.CreateLogger("Actors.Runtime");
        this.incomingFilters = [.. incomingFilters];
        ClassMap = new GrainClassMap();
        Catalog = new ActivationCatalog(this);
        Metrics = new RuntimeMetrics(meterFactory, timeProvider, () => Catalog.All().Sum(a => (long)a.WaitingCount));
        GrainRuntime = new GrainRuntime(this, [.. outgoingFilters]);
        CallTimeoutTicks = ToTicks(Options.CallTimeout);
        coarseNow = timeProvider.GetTimestamp();
        StartedAt = timeProvider.GetUtcNow();
        IdleTimeoutTicks = ToTicks(Options.IdleTimeout);
    }

    public IServiceProvider Services { get; }

    public SiloOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    public RuntimeMetrics Metrics { get; }

    public JsonDeepCopier Copier { get; } = new();

    public Management.CallStatistics CallStatistics { get; } = new();

    public Management.CpuSampler Cpu { get; } = new();

    public DateTimeOffset StartedAt { get; }

    public GrainClassMap ClassMap { get; }

    public ActivationCatalog Catalog { get; }

    public GrainRuntime GrainRuntime { get; }

    public long CallTimeoutTicks { get; }

    private long coarseNow;

    /// <summary>
    /// A clock read once per maintenance period: call deadlines and idle times need no more
    /// precision than the sweep that checks them, and reading the clock on every call is not free
    /// (a system call on some virtual machines).
    /// </summary>
    public long CoarseNow => Volatile.Read(ref coarseNow);

    /// <summary>Reads the clock and refreshes <see cref="CoarseNow"/> (the maintenance sweep calls it).</summary>
    public long RefreshCoarseNow()
    {
        var now = TimeProvider.GetTimestamp();
        Volatile.Write(ref coarseNow, now);
        return now;
    }

    public long IdleTimeoutTicks { get; }

    public long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * TimeProvider.TimestampFrequency);

    public IGrainStorage GetStorage(string name, GrainClassInfo grain) =>
        Services.GetKeyedService<IGrainStorage>(name)
        ?? throw new GrainStorageException(
            $"Grain class {grain.GrainClass.FullName} uses grain storage '{name}', but none is registered. Add one with AddMemoryGrainStorage(\"{name}\") or AddPostgresGrainStorage(\"{name}\", ...).");

    /// <summary>Runs an admitted call through the incoming filters (if any) into the grain.</summary>
    public ValueTask InvokeIncoming(ActivationData activation, Message message)
    {
        if (incomingFilters.Length == 0 && !activation.ClassInfo.IsIncomingFilter)
        {
            return message.Request.InvokeAsync(activation.Instance!);
        }

        return new ValueTask(new IncomingCallContext(activation, message, incomingFilters).Invoke());
    }

    /// <summary>Routes a message again (its activation went away before running it).</summary>
    public void Redeliver(Message message) => GrainRuntime.Dispatch(message);
}
