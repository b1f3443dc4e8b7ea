using Actors.Runtime.Hosting;
using Actors.Runtime.Postgres;

namespace Actors.Silo;

/// <summary>
/// The application's grains and their schema. Empty until the Grains project exists; then:
/// <list type="number">
/// <item>reference it in Silo.csproj (<c>&lt;ProjectReference Include="..\Grains\Grains.csproj" /&gt;</c>);</item>
/// <item>in <see cref="AddApplicationGrains"/>, make sure its assembly is loaded before the silo starts
/// (grain classes register through the generated module initializer, e.g.
/// <c>RuntimeHelpers.RunModuleConstructor(typeof(SomeGrain).Module.ModuleHandle)</c>) and register
/// the services its grains need;</item>
/// <item>add its migrations to <see cref="MigrationSources"/> (the silo applies them at startup and
/// <c>migrate</c> applies them too).</item>
/// </list>
/// For the domain that means <c>silo.AddDomain()</c> (Actors.Grains) and its embedded migrations.
/// </summary>
internal static class SiloGrains
{
    /// <summary>Schema migrations besides the runtime's own, applied in this order.</summary>
    public static IReadOnlyList<PostgresMigrationSource> MigrationSources { get; } = [];

    public static ISiloBuilder AddApplicationGrains(this ISiloBuilder silo)
    {
        foreach (var source in MigrationSources)
        {
            silo.AddPostgresMigrations(source.Component, source.Assembly, source.ResourcePrefix);
        }

        return silo;
    }
}
