using Actors.WebHost.Hosting;
using Npgsql;

namespace Actors.WebHost.Health;

/// <summary>Checks that PostgreSQL answers (SELECT 1) on a small pool of its own, when it is configured.</summary>
internal sealed class PostgresProbe(ClusterHostingOptions options) : IAsyncDisposable
{
    private readonly NpgsqlDataSource? dataSource = options.ConnectionString is { } cs
        ? new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = 2, Timeout = 3 }.ConnectionString).Build()
        : null;

    public bool IsConfigured => dataSource is not null;

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        if (dataSource is null)
        {
            return;
        }

        await using var command = dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => dataSource?.DisposeAsync() ?? ValueTask.CompletedTask;
}
