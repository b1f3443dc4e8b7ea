using Actors.Runtime.Hosting;
using Actors.Grains;
using Actors.Runtime.Postgres;

namespace Actors.Silo;

/// <summary>
/// The application's grains and their schema: the domain (users, sessions, resources). Calling
/// into the Grains assembly runs its module initializer, which registers its grain classes.
/// </summary>
internal static class SiloGrains
{
    /// <summary>Schema migrations besides the runtime's own, applied in this order.</summary>
    public static IReadOnlyList<PostgresMigrationSource> MigrationSources { get; } = [Actors.Grains.DomainSiloBuilderExtensions.MigrationSource];

    /// <summary>The domain on this silo's PostgreSQL (AddDomain registers its migrations for startup).</summary>
    public static ISiloBuilder AddApplicationGrains(this ISiloBuilder silo, string connectionString) =>
        silo.AddDomain(o => o.ConnectionString = connectionString);
}
