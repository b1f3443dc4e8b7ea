namespace Actors.Silo;

/// <summary>The host's own log events (category "Actors.Silo").</summary>
internal static partial class SiloLog
{
    [LoggerMessage(1, LogLevel.Information,
        "Silo {SiloAddress} ({SiloName}) is active in cluster {ClusterId}: silo port {SiloPort}, gateway port {GatewayPort}, HTTP port {HttpPort} ({HttpUrl}: /healthz /readyz /metrics)")]
    public static partial void Started(ILogger logger, string siloAddress, string siloName, string clusterId, int siloPort, int gatewayPort, int httpPort, string httpUrl);

    [LoggerMessage(2, LogLevel.Warning, "Could not read this silo's membership row for the startup report")]
    public static partial void OwnRowUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(4, LogLevel.Information, "Applying the schema migrations to {Database} on {Host}")]
    public static partial void Migrating(ILogger logger, string database, string host);

    [LoggerMessage(5, LogLevel.Information, "Applied {Count} migration(s): {Migrations}")]
    public static partial void Migrated(ILogger logger, int count, string migrations);

    [LoggerMessage(6, LogLevel.Information, "The schema is up to date; nothing to apply")]
    public static partial void UpToDate(ILogger logger);

    [LoggerMessage(7, LogLevel.Error, "Migration failed")]
    public static partial void MigrationFailed(ILogger logger, Exception exception);
}
