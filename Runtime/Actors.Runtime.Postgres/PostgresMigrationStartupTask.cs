using Actors.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>Applies the schema migrations of one PostgreSQL storage provider before the silo accepts calls.</summary>
internal sealed class PostgresMigrationStartupTask(string storageName, IServiceProvider services) : ISiloStartupTask
{
    /// <summary>Migrations run before other startup work that may need the tables.</summary>
    public int Order => -1000;

    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        var logger = services.GetService<ILogger<PostgresMigrationStartupTask>>() ?? (ILogger)NullLogger.Instance;
        var options = services.GetRequiredService<IOptionsMonitor<PostgresStorageOptions>>().Get(storageName);
        if (!options.ApplyMigrations)
        {
            Log.MigrationsSkipped(logger, storageName);
            return;
        }

        var dataSource = services.GetRequiredKeyedService<NpgsqlDataSource>(storageName);
        try
        {
            await PostgresMigrationRunner.RunAsync(
                dataSource, services.GetServices<PostgresMigrationSource>(), logger, cancellationToken);
        }
        catch (Exception ex) when (PostgresErrors.IsStorageFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            var problem = PostgresErrors.IsUnreachable(ex) ? "is unreachable" : "could not be migrated";
            throw new GrainStorageException(
                $"Grain storage '{storageName}' (PostgreSQL) {problem}: {PostgresErrors.Describe(ex)} (while applying schema migrations)", ex);
        }
    }
}
