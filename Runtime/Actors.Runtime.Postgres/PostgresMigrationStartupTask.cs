using Actors.Runtime.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>
/// A PostgreSQL database some part of the silo uses (a grain storage provider, the membership table,
/// the reminder table), for <see cref="PostgresMigrationStartupTask"/>.
/// </summary>
/// <param name="Subject">How errors name the user, e.g. <c>Grain storage 'Default' (PostgreSQL)</c>.</param>
/// <param name="DataSourceKey">The key of its <see cref="NpgsqlDataSource"/> in DI.</param>
/// <param name="ReadOptions">Its connection string and whether it wants migrations applied.</param>
internal sealed record PostgresMigrationTarget(
    string Subject,
    object DataSourceKey,
    Func<IServiceProvider, (string ConnectionString, bool ApplyMigrations)> ReadOptions);

/// <summary>
/// Applies the schema migrations of every PostgreSQL database the silo uses before it accepts calls:
/// once per database, however many providers point at it (storage, clustering and reminders on one
/// database migrate it once). Registered once per silo, whatever registered the targets.
/// </summary>
internal sealed class PostgresMigrationStartupTask(IServiceProvider services) : ISiloStartupTask
{
    /// <summary>Migrations run before other startup work that may need the tables.</summary>
    public int Order => -1000;

    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        var logger = services.GetService<ILogger<PostgresMigrationStartupTask>>() ?? (ILogger)NullLogger.Instance;
        var targets = services.GetServices<PostgresMigrationTarget>()
            .Select(target => (Target: target, Options: target.ReadOptions(services)))
            .GroupBy(t => PostgresConnectionStrings.DatabaseKey(t.Options.ConnectionString), StringComparer.Ordinal);

        foreach (var database in targets)
        {
            var migrating = database.FirstOrDefault(t => t.Options.ApplyMigrations).Target;
            foreach (var (target, options) in database)
            {
                if (!options.ApplyMigrations)
                {
                    Log.MigrationsSkipped(logger, target.Subject);
                }
                else if (!ReferenceEquals(target, migrating))
                {
                    Log.MigrationsShared(logger, target.Subject, migrating!.Subject);
                }
            }

            if (migrating is not null)
            {
                await MigrateAsync(migrating, logger, cancellationToken);
            }
        }
    }

    private async Task MigrateAsync(PostgresMigrationTarget target, ILogger logger, CancellationToken cancellationToken)
    {
        var dataSource = services.GetRequiredKeyedService<NpgsqlDataSource>(target.DataSourceKey);
        try
        {
            await PostgresMigrationRunner.RunAsync(
                dataSource, services.GetServices<PostgresMigrationSource>(), logger, cancellationToken);
        }
        catch (Exception ex) when (PostgresErrors.IsStorageFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            var problem = PostgresErrors.IsUnreachable(ex) ? "is unreachable" : "could not be migrated";
            throw new GrainStorageException(
                $"{target.Subject} {problem}: {PostgresErrors.Describe(ex)} (while applying schema migrations)", ex);
        }
    }
}
