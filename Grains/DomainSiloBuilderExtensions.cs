using Actors.Grains.Sessions;
using Actors.Runtime.Hosting;
using Actors.Runtime.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Actors.Grains;

/// <summary>Adds the domain grains' services to a silo: <c>silo.AddDomain(o => o.ConnectionString = ...)</c>.</summary>
public static class DomainSiloBuilderExtensions
{
    /// <summary>The DI key of the <see cref="NpgsqlDataSource"/> of the session event log.</summary>
    public const string DataSourceKey = "actors:domain";

    /// <summary>The migration component of the domain's own tables.</summary>
    public const string MigrationComponent = "domain";

    /// <summary>The domain's embedded migrations (<c>Grains/Migrations/NNNN_name.sql</c>).</summary>
    public static PostgresMigrationSource MigrationSource { get; } =
        new(MigrationComponent, typeof(DomainSiloBuilderExtensions).Assembly, "Actors.Grains.Migrations.");

    /// <summary>
    /// Registers <see cref="DomainOptions"/> (bound from <see cref="DomainOptions.SectionName"/>, then
    /// <paramref name="configure"/>; validated at start) and the session event log: PostgreSQL when
    /// <see cref="DomainOptions.ConnectionString"/> is set (its migrations applied at startup, and
    /// registered with <c>AddPostgresMigrations</c> so <c>migrate</c> applies them too), otherwise in
    /// memory with a loud warning.
    /// </summary>
    public static ISiloBuilder AddDomain(this ISiloBuilder builder, Action<DomainOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<DomainOptions>()
            .Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(DomainOptions.SectionName).Bind(o))
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DomainOptions>, DomainOptionsValidator>());

        // A connection string given in code is known now: register the migrations with the runtime's
        // migration run (and the migrate command). One that comes from configuration is only known at
        // start; the startup task below migrates the event log's database in either case.
        var probe = new DomainOptions();
        configure?.Invoke(probe);
        if (!string.IsNullOrWhiteSpace(probe.ConnectionString)
            && !services.Any(d => d.ImplementationInstance is PostgresMigrationSource { Component: MigrationComponent }))
        {
            builder.AddPostgresMigrations(MigrationSource.Component, MigrationSource.Assembly, MigrationSource.ResourcePrefix);
        }

        services.TryAddKeyedSingleton<NpgsqlDataSource>(DataSourceKey, (sp, _) => PostgresDataSourceFactory.Create(
            new PostgresStorageOptions { ConnectionString = sp.GetRequiredService<IOptions<DomainOptions>>().Value.ConnectionString! },
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<ISessionEventStore>(sp =>
            string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<DomainOptions>>().Value.ConnectionString)
                ? new InMemorySessionEventStore()
                : new PostgresSessionEventStore(
                    sp.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey),
                    sp.GetService<ILogger<PostgresSessionEventStore>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISiloStartupTask, SessionEventStoreStartupTask>(
            sp => new SessionEventStoreStartupTask(sp)));
        return builder;
    }
}
