using System.Reflection;
using Actors.Runtime.Hosting;
using Actors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>Adds PostgreSQL grain storage to a silo.</summary>
public static class PostgresSiloBuilderExtensions
{
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
        services.AddSingleton<ISiloStartupTask>(sp => new PostgresMigrationStartupTask(name, sp));
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
}
