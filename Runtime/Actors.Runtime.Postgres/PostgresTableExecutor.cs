using Microsoft.Extensions.Logging;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>How one table reports failures: its log events (logger, exception, cluster id, operation).</summary>
internal sealed record PostgresTableFailureLog(
    Action<ILogger, Exception, string, string> Unreachable,
    Action<ILogger, Exception, string, string> Failed,
    Action<ILogger, Exception, string, string> RetryingOnNewConnection);

/// <summary>
/// Runs the commands of a cluster table (membership, reminders) the way <see cref="PostgresGrainStorage"/>
/// runs its own: failures classified by <see cref="PostgresErrors"/> become <see cref="GrainStorageException"/>,
/// the pool is cleared when the server is unreachable, and a pooled connection the server closed is
/// retried once on a new one. Every operation of these tables is a compare-and-swap or idempotent, so
/// a retry after an unknown outcome reports a conflict rather than applying twice.
/// </summary>
internal sealed class PostgresTableExecutor(
    NpgsqlDataSource dataSource, string subject, string clusterId, ILogger logger, PostgresTableFailureLog log)
{
    /// <summary>How error messages name the table, e.g. <c>Membership table (PostgreSQL) of cluster 'dev'</c>.</summary>
    public string Subject { get; } = subject;

    public async Task<T> ExecuteAsync<T>(
        string operation,
        Func<NpgsqlConnection, CancellationToken, Task<T>> action,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var opened = false;
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                opened = true;
                return await action(connection, cancellationToken);
            }
            catch (Exception ex) when (PostgresErrors.IsStorageFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (!PostgresErrors.IsUnreachable(ex))
                {
                    log.Failed(logger, ex, clusterId, operation);
                    throw new GrainStorageException($"{Subject} failed to {operation}: {PostgresErrors.Describe(ex)}", ex);
                }

                dataSource.Clear();
                if (opened && attempt == 1 && PostgresErrors.IsBrokenConnection(ex))
                {
                    log.RetryingOnNewConnection(logger, ex, clusterId, operation);
                    continue;
                }

                log.Unreachable(logger, ex, clusterId, operation);
                throw new GrainStorageException(
                    $"{Subject} is unreachable: {PostgresErrors.Describe(ex)} (while trying to {operation})", ex);
            }
        }
    }
}
