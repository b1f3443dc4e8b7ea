using Microsoft.Extensions.DependencyInjection;

namespace Actors.Runtime.Hosting;

/// <summary>Configures a silo: storage providers, filters and options are added through its services.</summary>
public interface ISiloBuilder
{
    IServiceCollection Services { get; }
}

/// <summary>
/// Work that must finish before the silo accepts calls (schema migrations, for example), run in
/// ascending <see cref="Order"/>.
/// </summary>
public interface ISiloStartupTask
{
    int Order => 0;

    Task ExecuteAsync(CancellationToken cancellationToken);
}
