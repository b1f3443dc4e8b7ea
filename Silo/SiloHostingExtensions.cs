using Actors.Runtime.Diagnostics.Prometheus;
using Actors.Runtime.Hosting;
using Actors.Runtime.Postgres;
using Microsoft.Extensions.Logging.Console;

namespace Actors.Silo;

/// <summary>The wiring of the standalone silo, one concern per method (see Program.cs).</summary>
internal static class SiloHostingExtensions
{
    /// <summary>How long a graceful stop (drain, deactivate, leave the cluster) may take after SIGTERM or Ctrl+C.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Console logging, one line per entry, UTC timestamps. Levels come from the "Logging" section
    /// (appsettings.json sets Information for "Actors"), so an operator can change them.
    /// </summary>
    public static IHostApplicationBuilder AddSiloLogging(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.IncludeScopes = false;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        return builder;
    }

    /// <summary>Kestrel on ListenAddress:HttpPort only (no other HTTP address), started alongside the silo; 30 s graceful stop.</summary>
    public static WebApplicationBuilder AddSiloHttp(this WebApplicationBuilder builder, SiloSettings settings)
    {
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(settings.ListenAddress, settings.HttpPort);
        });
        builder.Services.Configure<HostOptions>(options =>
        {
            options.ShutdownTimeout = ShutdownTimeout;

            // Kestrel serves /healthz and /readyz (503 "starting") while the silo migrates and joins.
            options.ServicesStartConcurrently = true;
            options.ServicesStopConcurrently = false;
        });
        return builder;
    }

    /// <summary>
    /// The silo: grain state, membership and reminders in PostgreSQL under one cluster id, plus the
    /// application's grains. Cluster and silo options bind from "Actors:Cluster" and "Actors:Silo".
    /// </summary>
    public static IHostApplicationBuilder AddPostgresSilo(this IHostApplicationBuilder builder, SiloSettings settings)
    {
        var connectionString = settings.ConnectionString;
        var clusterId = settings.ClusterId;
        builder.Services.AddActorsSilo(silo => silo
            .AddPostgresGrainStorage(connectionString)
            .UsePostgresClustering(options =>
            {
                options.ConnectionString = connectionString;
                options.ClusterId = clusterId;
            })
            .UsePostgresReminders(options =>
            {
                options.ConnectionString = connectionString;
                options.ClusterId = clusterId;
            })
            .AddApplicationGrains(connectionString));
        return builder;
    }

    /// <summary>The Prometheus collector behind /metrics: the runtime, the .NET runtime, ASP.NET Core hosting and Kestrel, Npgsql.</summary>
    public static IHostApplicationBuilder AddSiloMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddPrometheusMetrics(
            "Actors.Runtime",
            "System.Runtime",
            "Microsoft.AspNetCore.Hosting",
            "Microsoft.AspNetCore.Server.Kestrel",
            "Npgsql");
        return builder;
    }

    /// <summary>Readiness (own membership row, read from PostgreSQL) and the startup report line.</summary>
    public static IHostApplicationBuilder AddSiloHealth(this IHostApplicationBuilder builder, SiloSettings settings)
    {
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<SiloReadiness>();
        builder.Services.AddHostedService<SiloStartupReport>();
        return builder;
    }

    /// <summary>Runs until SIGTERM or Ctrl+C, then stops gracefully. Exit code 0, or 1 when the silo could not start.</summary>
    public static async Task<int> RunSiloAsync(this WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return SiloExitCodes.Success;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The host has logged the exception with its stack; stderr gets one line for whoever runs the process.
            await Console.Error.WriteLineAsync($"Silo: failed: {exception.GetType().Name}: {exception.Message}");
            return SiloExitCodes.Failure;
        }
    }
}

/// <summary>Process exit codes of Silo.dll.</summary>
internal static class SiloExitCodes
{
    public const int Success = 0;

    /// <summary>The silo could not start (or failed while running), or a migration failed.</summary>
    public const int Failure = 1;

    /// <summary>A required setting is missing or invalid.</summary>
    public const int ConfigurationError = 2;
}
