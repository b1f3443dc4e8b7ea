using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>A set of embedded migrations of one component: see <see cref="PostgresMigrator"/>.</summary>
/// <param name="Component">The component name, e.g. <c>runtime</c> or <c>grains</c>.</param>
/// <param name="Assembly">The assembly that embeds the <c>NNNN_name.sql</c> resources.</param>
/// <param name="ResourcePrefix">The resource name prefix, e.g. <c>My.Grains.Migrations.</c>.</param>
public sealed record PostgresMigrationSource(string Component, Assembly Assembly, string ResourcePrefix)
{
    /// <summary>The runtime's own migrations (grain state): component <c>runtime</c>.</summary>
    public static PostgresMigrationSource Runtime { get; } =
        new("runtime", typeof(PostgresMigrationSource).Assembly, "Actors.Runtime.Postgres.Migrations.");

    /// <summary>Reads this source's migrations.</summary>
    public IReadOnlyList<PostgresMigration> Discover() => PostgresMigrator.Discover(Component, Assembly, ResourcePrefix);
}

/// <summary>
/// Applies the runtime's migrations and any others in one locked run: what the silo does at startup
/// and what a <c>migrate</c> command calls.
/// </summary>
public static class PostgresMigrationRunner
{
    /// <summary>
    /// Applies <see cref="PostgresMigrationSource.Runtime"/> and then <paramref name="additionalSources"/>
    /// (in order, each component once) to the database of <paramref name="dataSource"/>; returns the
    /// migrations it applied (empty when the schema was up to date).
    /// </summary>
    public static Task<IReadOnlyList<PostgresMigration>> RunAsync(
        NpgsqlDataSource dataSource,
        IEnumerable<PostgresMigrationSource>? additionalSources = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var sources = new List<PostgresMigrationSource> { PostgresMigrationSource.Runtime };
        foreach (var source in additionalSources ?? [])
        {
            if (sources.Any(s => s.Component == source.Component))
            {
                if (sources.Contains(source))
                {
                    continue;
                }

                throw new InvalidOperationException(
                    $"Two different migration sources are registered for component '{source.Component}'.");
            }

            sources.Add(source);
        }

        var migrations = sources.SelectMany(s => s.Discover()).ToList();
        return PostgresMigrator.ApplyAsync(dataSource, migrations, logger, cancellationToken);
    }

    /// <summary>Same as <see cref="RunAsync(NpgsqlDataSource, IEnumerable{PostgresMigrationSource}?, ILogger?, CancellationToken)"/> for a connection string.</summary>
    public static async Task<IReadOnlyList<PostgresMigration>> RunAsync(
        string connectionString,
        IEnumerable<PostgresMigrationSource>? additionalSources = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        await using var dataSource = PostgresDataSourceFactory.Create(connectionString);
        return await RunAsync(dataSource, additionalSources, logger, cancellationToken);
    }
}
