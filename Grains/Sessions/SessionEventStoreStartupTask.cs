using Actors.Runtime.Hosting;
using Actors.Runtime.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Actors.Grains.Sessions;

/// <summary>
/// Before the silo takes calls: applies the domain's migrations (component <c>domain</c>) to the
/// database of <see cref="DomainOptions.ConnectionString"/> — a no-op when the runtime's migration
/// task already did it because grain storage uses the same database — or, without a connection
/// string, warns loudly that the event log lives in memory.
/// </summary>
internal sealed class SessionEventStoreStartupTask(IServiceProvider services) : ISiloStartupTask
{
    /// <summary>After the runtime's migrations (-1000), before anything that may call grains.</summary>
    public int Order => -900;

    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        var logger = services.GetService<ILogger<SessionEventStoreStartupTask>>() ?? (ILogger)NullLogger.Instance;
        var options = services.GetRequiredService<IOptions<DomainOptions>>().Value;
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            SessionLog.InMemoryStore(logger);
            return;
        }

        var dataSource = services.GetRequiredKeyedService<NpgsqlDataSource>(DomainSiloBuilderExtensions.DataSourceKey);
        try
        {
            var applied = await PostgresMigrator.ApplyAsync(
                dataSource, DomainSiloBuilderExtensions.MigrationSource.Discover(), logger, cancellationToken);
            if (applied.Count > 0)
            {
                SessionLog.Migrated(logger, applied.Count);
            }
        }
        catch (Exception ex) when (PostgresSessionEventStore.IsStoreFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw new GrainStorageException(
                $"Session event log (PostgreSQL) {(PostgresSessionEventStore.IsUnreachable(ex) ? "is unreachable" : "could not be migrated")}: {ex.Message} (while applying the domain's schema migrations)", ex);
        }
    }
}
