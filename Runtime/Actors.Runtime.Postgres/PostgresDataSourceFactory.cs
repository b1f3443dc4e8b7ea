using Microsoft.Extensions.Logging;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>Builds the <see cref="NpgsqlDataSource"/> a PostgreSQL storage provider uses.</summary>
public static class PostgresDataSourceFactory
{
    /// <summary>Connections per data source when the connection string does not say (Maximum Pool Size).</summary>
    public const int DefaultMaxPoolSize = 20;

    /// <summary>
    /// Creates a data source for <paramref name="options"/>: its connect and command timeouts replace
    /// the connection string's, and the application name defaults to <c>actors</c>.
    /// </summary>
    public static NpgsqlDataSource Create(PostgresStorageOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            Timeout = ToSeconds(options.ConnectTimeout),
            CommandTimeout = ToSeconds(options.CommandTimeout),
        };
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "actors";
        }

        // A silo opens several data sources (state, membership, reminders, the event log); Npgsql's
        // default of 100 connections each would exhaust a server's max_connections with two silos.
        if (!builder.ContainsKey("Maximum Pool Size") && !builder.ContainsKey("Max Pool Size"))
        {
            builder.MaxPoolSize = DefaultMaxPoolSize;
        }

        var dataSourceBuilder = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        if (loggerFactory is not null)
        {
            dataSourceBuilder.UseLoggerFactory(loggerFactory);
        }

        return dataSourceBuilder.Build();
    }

    /// <summary>Creates a data source for a connection string with the default timeouts.</summary>
    public static NpgsqlDataSource Create(string connectionString, ILoggerFactory? loggerFactory = null) =>
        Create(new PostgresStorageOptions { ConnectionString = connectionString }, loggerFactory);

    private static int ToSeconds(TimeSpan value) => Math.Max(1, (int)Math.Ceiling(value.TotalSeconds));
}
