using System.Reflection;
using Actors.Runtime.Hosting;
using Actors.Runtime.Membership;
using Actors.Runtime.Reminders;
using Actors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>Adds PostgreSQL grain storage, clustering (the membership table) and reminders to a silo.</summary>
public static class PostgresSiloBuilderExtensions
{
    /// <summary>The DI key of the <see cref="NpgsqlDataSource"/> of the PostgreSQL membership table.</summary>
    public const string ClusteringDataSourceKey = "actors:clustering";

    /// <summary>The DI key of the <see cref="NpgsqlDataSource"/> of the PostgreSQL reminder table.</summary>
    public const string RemindersDataSourceKey = "actors:reminders";

    /// <summary>
    /// Adds a PostgreSQL grain storage provider named <paramref name="name"/>: a keyed
    /// <see cref="IGrainStorage"/> and a keyed <see cref="NpgsqlDataSource"/> (both with key
    /// <paramref name="name"/>), named and validated <see cref="PostgresStorageOptions"/>, and a startup
    /// task that applies the schema migrations (unless <see cref="PostgresStorageOptions.ApplyMigrations"/> is false).
    /// </summary>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, Action<PostgresStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<PostgresStorageOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<PostgresStorageOptions>, PostgresStorageOptionsValidator>());

        services.AddKeyedSingleton<NpgsqlDataSource>(name, (sp, _) => PostgresDataSourceFactory.Create(
            sp.GetRequiredService<IOptionsMonitor<PostgresStorageOptions>>().Get(name),
            sp.GetService<ILoggerFactory>()));
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new PostgresGrainStorage(
            name,
            sp.GetRequiredKeyedService<NpgsqlDataSource>(name),
            sp.GetService<ILogger<PostgresGrainStorage>>()));
        AddMigrationTarget(services, new PostgresMigrationTarget($"Grain storage '{name}' (PostgreSQL)", name, sp =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<PostgresStorageOptions>>().Get(name);
            return (options.ConnectionString, options.ApplyMigrations);
        }));
        return builder;
    }

    /// <summary>Adds the PostgreSQL grain storage provider named "Default" for <paramref name="connectionString"/>.</summary>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.AddPostgresGrainStorage(
            PersistentStateAttribute.DefaultStorageName, options => options.ConnectionString = connectionString);
    }

    /// <summary>
    /// Stores the cluster's membership in PostgreSQL: registers <see cref="IMembershipTable"/> as a
    /// <see cref="PostgresMembershipTable"/> for <see cref="PostgresClusteringOptions.ClusterId"/> (replacing
    /// any other membership table), its <see cref="NpgsqlDataSource"/> (key <see cref="ClusteringDataSourceKey"/>),
    /// validated <see cref="PostgresClusteringOptions"/>, and the schema migrations at startup (applied once per
    /// database, also when grain storage or reminders use the same one).
    /// </summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder builder, Action<PostgresClusteringOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<PostgresClusteringOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<PostgresClusteringOptions>, PostgresClusteringOptionsValidator>());
        services.TryAddKeyedSingleton<NpgsqlDataSource>(ClusteringDataSourceKey, (sp, _) => PostgresDataSourceFactory.Create(
            sp.GetRequiredService<IOptions<PostgresClusteringOptions>>().Value.ToConnectionOptions(),
            sp.GetService<ILoggerFactory>()));
        services.RemoveAll<IMembershipTable>();
        services.AddSingleton<IMembershipTable>(sp => new PostgresMembershipTable(
            sp.GetRequiredKeyedService<NpgsqlDataSource>(ClusteringDataSourceKey),
            sp.GetRequiredService<IOptions<PostgresClusteringOptions>>().Value.ClusterId,
            sp.GetService<ILogger<PostgresMembershipTable>>()));
        AddMigrationTarget(services, new PostgresMigrationTarget("Membership table (PostgreSQL)", ClusteringDataSourceKey, sp =>
        {
            var options = sp.GetRequiredService<IOptions<PostgresClusteringOptions>>().Value;
            return (options.ConnectionString, options.ApplyMigrations);
        }));
        return builder;
    }

    /// <summary>
    /// Stores durable reminders in PostgreSQL: registers <see cref="IReminderTable"/> as a
    /// <see cref="PostgresReminderTable"/> for <see cref="PostgresRemindersOptions.ClusterId"/> (replacing any
    /// other reminder table), its <see cref="NpgsqlDataSource"/> (key <see cref="RemindersDataSourceKey"/>),
    /// validated <see cref="PostgresRemindersOptions"/>, and the schema migrations at startup (applied once per
    /// database, also when grain storage or clustering use the same one).
    /// </summary>
    public static ISiloBuilder UsePostgresReminders(this ISiloBuilder builder, Action<PostgresRemindersOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);

        var services = builder.Services;
        services.AddOptions<PostgresRemindersOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<PostgresRemindersOptions>, PostgresRemindersOptionsValidator>());
        services.TryAddKeyedSingleton<NpgsqlDataSource>(RemindersDataSourceKey, (sp, _) => PostgresDataSourceFactory.Create(
            sp.GetRequiredService<IOptions<PostgresRemindersOptions>>().Value.ToConnectionOptions(),
            sp.GetService<ILoggerFactory>()));
        services.RemoveAll<IReminderTable>();
        services.AddSingleton<IReminderTable>(sp => new PostgresReminderTable(
            sp.GetRequiredKeyedService<NpgsqlDataSource>(RemindersDataSourceKey),
            sp.GetRequiredService<IOptions<PostgresRemindersOptions>>().Value.ClusterId,
            sp.GetService<ILogger<PostgresReminderTable>>()));
        AddMigrationTarget(services, new PostgresMigrationTarget("Reminder table (PostgreSQL)", RemindersDataSourceKey, sp =>
        {
            var options = sp.GetRequiredService<IOptions<PostgresRemindersOptions>>().Value;
            return (options.ConnectionString, options.ApplyMigrations);
        }));
        return builder;
    }

    /// <summary>
    /// Adds a component's embedded migrations (see <see cref="PostgresMigrator"/>) to those the
    /// PostgreSQL storage providers apply at startup, after the runtime's own.
    /// </summary>
    public static ISiloBuilder AddPostgresMigrations(this ISiloBuilder builder, string component, Assembly assembly, string resourcePrefix)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(component);
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resourcePrefix);
        builder.Services.AddSingleton(new PostgresMigrationSource(component, assembly, resourcePrefix));
        return builder;
    }

    /// <summary>Adds a database to those the one migration startup task migrates (registered once per silo).</summary>
    private static void AddMigrationTarget(IServiceCollection services, PostgresMigrationTarget target)
    {
        if (!services.Any(d => d.ImplementationInstance is PostgresMigrationTarget known && Equals(known.DataSourceKey, target.DataSourceKey)))
        {
            services.AddSingleton(target);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISiloStartupTask, PostgresMigrationStartupTask>(
            sp => new PostgresMigrationStartupTask(sp)));
    }
}
