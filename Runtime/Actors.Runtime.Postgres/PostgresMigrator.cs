using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>One versioned schema migration of a component, read from an embedded <c>NNNN_name.sql</c> resource.</summary>
/// <param name="Component">The component the migration belongs to (versions are numbered per component).</param>
/// <param name="Version">The version: the file name's leading number.</param>
/// <param name="Name">The file name after the version and underscore, without <c>.sql</c>.</param>
/// <param name="Sql">The SQL text; it runs in one transaction.</param>
public sealed record PostgresMigration(string Component, int Version, string Name, string Sql)
{
    public override string ToString() => $"{Component} {Version.ToString("D4", CultureInfo.InvariantCulture)}_{Name}";
}

/// <summary>
/// Applies versioned SQL migrations embedded in an assembly. Each migration runs in its own
/// transaction and is recorded in <c>actors_schema_migrations(component, version, name, applied_at)</c>;
/// the whole run holds the PostgreSQL advisory lock <see cref="AdvisoryLockKey"/>, so silos starting
/// together apply each migration once. Migrations already recorded are never run again.
/// </summary>
/// <remarks>
/// Resources are named <c>{resourcePrefix}NNNN_name.sql</c>; with an MSBuild item such as
/// <c>&lt;EmbeddedResource Include="Migrations\*.sql" LogicalName="My.Component.Migrations.%(Filename)%(Extension)" /&gt;</c>
/// the prefix is <c>My.Component.Migrations.</c>. A migration cannot contain statements that refuse to
/// run in a transaction (such as <c>CREATE INDEX CONCURRENTLY</c>).
/// </remarks>
public static class PostgresMigrator
{
    /// <summary>The advisory lock every migration run holds (the ASCII of "actorsMg").</summary>
    public const long AdvisoryLockKey = 0x6163746F72734D67;

    /// <summary>The table that records applied migrations.</summary>
    public const string HistoryTable = "actors_schema_migrations";

    private const string CreateHistorySql =
        "CREATE TABLE IF NOT EXISTS actors_schema_migrations (" +
        "component text NOT NULL, version int NOT NULL, name text NOT NULL, " +
        "applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))";

    /// <summary>Reads the migrations embedded in <paramref name="assembly"/> under <paramref name="resourcePrefix"/>, in version order.</summary>
    /// <exception cref="InvalidOperationException">A resource name has no version, or two share one.</exception>
    public static IReadOnlyList<PostgresMigration> Discover(string component, Assembly assembly, string resourcePrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(component);
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resourcePrefix);

        var migrations = new List<PostgresMigration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(resourcePrefix, StringComparison.Ordinal)
                || !resource.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var fileName = resource[resourcePrefix.Length..^".sql".Length];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            var digits = separator < 0 ? fileName : fileName[..separator];
            if (digits.Length == 0
                || !digits.All(char.IsAsciiDigit)
                || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                || version <= 0)
            {
                throw new InvalidOperationException(
                    $"Migration resource '{resource}' of {component} is not named NNNN_name.sql with a positive version.");
            }

            var name = separator < 0 ? fileName : fileName[(separator + 1)..];
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Migration resource '{resource}' cannot be read.");
            using var reader = new StreamReader(stream);
            migrations.Add(new PostgresMigration(component, version, name, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException(
                    $"Migrations '{migrations[i - 1]}' and '{migrations[i]}' of {component} share version {migrations[i].Version}.");
            }
        }

        return migrations;
    }

    /// <summary>
    /// Applies the migrations embedded in <paramref name="assembly"/> under <paramref name="resourcePrefix"/>
    /// that are not yet recorded for <paramref name="component"/>; returns those it applied.
    /// </summary>
    public static Task<IReadOnlyList<PostgresMigration>> ApplyAsync(
        NpgsqlDataSource dataSource,
        string component,
        Assembly assembly,
        string resourcePrefix,
        CancellationToken cancellationToken = default) =>
        ApplyAsync(dataSource, Discover(component, assembly, resourcePrefix), logger: null, cancellationToken);

    /// <summary>Applies those of <paramref name="migrations"/> not yet recorded; returns those it applied.</summary>
    public static async Task<IReadOnlyList<PostgresMigration>> ApplyAsync(
        NpgsqlDataSource dataSource,
        IReadOnlyList<PostgresMigration> migrations,
        ILogger? logger,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(migrations);
        logger ??= NullLogger.Instance;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Waiting for another silo's run may take as long as its migrations: no command timeout here.
        await ExecuteAsync(connection, "SELECT pg_advisory_lock($1)", AdvisoryLockKey, cancellationToken);
        try
        {
            await ExecuteAsync(connection, CreateHistorySql, parameter: null, cancellationToken);
            var applied = new List<PostgresMigration>();
            foreach (var component in migrations.Select(m => m.Component).Distinct(StringComparer.Ordinal))
            {
                var ofComponent = migrations.Where(m => m.Component == component).OrderBy(m => m.Version).ToList();
                applied.AddRange(await ApplyComponentAsync(connection, component, ofComponent, logger, cancellationToken));
            }

            return applied;
        }
        finally
        {
            try
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock($1)", AdvisoryLockKey, CancellationToken.None);
            }
            catch (NpgsqlException)
            {
                // The connection broke: the server released the session's lock with it.
            }
        }
    }

    private static async Task<List<PostgresMigration>> ApplyComponentAsync(
        NpgsqlConnection connection,
        string component,
        List<PostgresMigration> migrations,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var recorded = new Dictionary<int, string>();
        await using (var select = new NpgsqlCommand("SELECT version, name FROM actors_schema_migrations WHERE component = $1", connection))
        {
            select.Parameters.Add(new NpgsqlParameter<string> { TypedValue = component });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                recorded[reader.GetInt32(0)] = reader.GetString(1);
            }
        }

        var applied = new List<PostgresMigration>();
        foreach (var migration in migrations)
        {
            if (recorded.TryGetValue(migration.Version, out var recordedName))
            {
                if (!string.Equals(recordedName, migration.Name, StringComparison.Ordinal))
                {
                    Log.MigrationNameMismatch(logger, component, migration.Version, recordedName, migration.Name);
                }

                continue;
            }

            var stopwatch = Stopwatch.StartNew();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction) { CommandTimeout = 0 })
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand(
                "INSERT INTO actors_schema_migrations (component, version, name) VALUES ($1, $2, $3)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = component });
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Name });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            Log.MigrationApplied(logger, component, migration.Version, migration.Name, stopwatch.ElapsedMilliseconds);
            applied.Add(migration);
        }

        var known = migrations.Select(m => m.Version).ToHashSet();
        var unknown = recorded.Keys.Count(v => !known.Contains(v));
        if (unknown > 0)
        {
            Log.MigrationUnknownVersions(logger, component, unknown);
        }

        if (applied.Count == 0)
        {
            Log.MigrationsUpToDate(logger, component, migrations.Count);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, long? parameter, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        if (parameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = parameter.Value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
