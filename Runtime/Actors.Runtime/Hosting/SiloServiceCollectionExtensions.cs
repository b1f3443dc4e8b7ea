using Actors.Runtime.Configuration;
using Actors.Runtime.Diagnostics;
using Actors.Runtime.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Hosting;

/// <summary>Registers a silo in a host: <c>services.AddActorsSilo(silo => silo.AddMemoryGrainStorage())</c>.</summary>
public static class SiloServiceCollectionExtensions
{
    public static IServiceCollection AddActorsSilo(this IServiceCollection services, Action<ISiloBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(SiloHostedService)))
        {
            AddRuntimeCore(services, configure: null);
            services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<RuntimeServices>().GrainRuntime);
            services.AddSingleton<SiloHostedService>();
            services.AddHostedService(sp => sp.GetRequiredService<SiloHostedService>());
            services.AddTransient<IReminderRegistry>(sp => sp.GetRequiredService<SiloHostedService>().Reminders
                ?? throw new InvalidOperationException("Reminders are not configured on this silo; add a reminder table (UsePostgresReminders or UseInMemoryReminders)."));
        }

        configure?.Invoke(new SiloBuilder(services));
        return services;
    }

    /// <summary>What silos and clients share: options, clock, logging, metrics and the runtime core.</summary>
    internal static void AddRuntimeCore(IServiceCollection services, Action<ISiloBuilder>? configure)
    {
        if (!services.Any(d => d.ServiceType == typeof(RuntimeServices)))
        {
            services.AddOptions<SiloOptions>()
                .Configure<IServiceProvider>((options, sp) => sp.GetService<IConfiguration>()?.GetSection(SiloOptions.SectionName).Bind(options))
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloOptions>, SiloOptionsValidator>());
            services.AddOptions<ClusterOptions>()
                .Configure<IServiceProvider>((options, sp) => sp.GetService<IConfiguration>()?.GetSection(ClusterOptions.SectionName).Bind(options))
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidator>());
            services.TryAddSingleton(TimeProvider.System);
            services.AddLogging();
            services.AddRecentLogCapture();
            services.AddMetrics();
            services.AddSingleton<RuntimeServices>();
        }

        configure?.Invoke(new SiloBuilder(services));
    }

    public static ISiloBuilder ConfigureCluster(this ISiloBuilder builder, Action<ClusterOptions> configure)
    {
        builder.Services.Configure(configure);
        return builder;
    }

    public static ISiloBuilder Configure(this ISiloBuilder builder, Action<SiloOptions> configure)
    {
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>In-process storage: for tests and single-machine development only.</summary>
    public static ISiloBuilder AddMemoryGrainStorage(this ISiloBuilder builder, string name = PersistentStateAttribute.DefaultStorageName)
    {
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (_, _) => new MemoryGrainStorage(name));
        return builder;
    }

    public static ISiloBuilder AddIncomingGrainCallFilter<TFilter>(this ISiloBuilder builder)
        where TFilter : class, IIncomingGrainCallFilter
    {
        builder.Services.AddSingleton<IIncomingGrainCallFilter, TFilter>();
        return builder;
    }

    public static ISiloBuilder AddIncomingGrainCallFilter(this ISiloBuilder builder, IIncomingGrainCallFilter filter)
    {
        builder.Services.AddSingleton(filter);
        return builder;
    }

    public static ISiloBuilder AddOutgoingGrainCallFilter<TFilter>(this ISiloBuilder builder)
        where TFilter : class, IOutgoingGrainCallFilter
    {
        builder.Services.AddSingleton<IOutgoingGrainCallFilter, TFilter>();
        return builder;
    }

    public static ISiloBuilder AddOutgoingGrainCallFilter(this ISiloBuilder builder, IOutgoingGrainCallFilter filter)
    {
        builder.Services.AddSingleton(filter);
        return builder;
    }

    private sealed class SiloBuilder(IServiceCollection services) : ISiloBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
