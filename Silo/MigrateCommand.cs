using Actors.Runtime.Postgres;
using Npgsql;

namespace Actors.Silo;

/// <summary>
/// <c>dotnet Silo.dll migrate</c>: applies every schema migration (the runtime's and the
/// application's) to ConnectionStrings:Postgres under the migration advisory lock, then exits
/// without starting a silo. Exit code 0 when the schema is up to date, 1 on failure, 2 when the
/// connection string is missing.
/// </summary>
internal static class MigrateCommand
{
    public const string Name = "migrate";

    /// <summary>A migration may rewrite a large table: far longer than a silo's command timeout.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(30);

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddSiloLogging();
        var connectionString = builder.Configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync(
                $"Silo migrate: the configuration key '{SiloSettings.ConnectionStringKey}' is required (environment variable ConnectionStrings__Postgres, or --ConnectionStrings:Postgres=\"Host=...;Database=...\").");
            return SiloExitCodes.ConfigurationError;
        }

        using var host = builder.Build();
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("Actors.Silo");
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            var target = new NpgsqlConnectionStringBuilder(connectionString);
            SiloLog.Migrating(logger, target.Database ?? target.Username ?? "(default database)", target.Host ?? "(no host)");
            await using var dataSource = PostgresDataSourceFactory.Create(
                new PostgresStorageOptions { ConnectionString = connectionString, CommandTimeout = CommandTimeout },
                loggers);
            var applied = await PostgresMigrationRunner.RunAsync(dataSource, SiloGrains.MigrationSources, logger, cancel.Token);
            if (applied.Count == 0)
            {
                SiloLog.UpToDate(logger);
            }
            else
            {
                SiloLog.Migrated(logger, applied.Count, string.Join(", ", applied));
            }

            return SiloExitCodes.Success;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            SiloLog.MigrationFailed(logger, exception);
            await Console.Error.WriteLineAsync($"Silo migrate: failed: {Describe(exception)}");
            return SiloExitCodes.Failure;
        }
    }

    private static string Describe(Exception exception)
    {
        var text = exception.Message;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!text.Contains(inner.Message, StringComparison.Ordinal))
            {
                text += " ---> " + inner.Message;
            }
        }

        return text;
    }
}
