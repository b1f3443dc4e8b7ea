using Actors.Runtime.Diagnostics.Prometheus;
using Actors.Silo;

// The standalone silo host: composition only; the wiring lives in SiloHostingExtensions and friends.
// `dotnet Silo.dll migrate` applies the schema migrations and exits without starting a silo.
if (args is [MigrateCommand.Name, .. var migrateArgs])
{
    return await MigrateCommand.RunAsync(migrateArgs);
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (!SiloSettings.TryRead(builder.Configuration, out var settings, out var problem))
{
    await Console.Error.WriteLineAsync(problem);
    return SiloExitCodes.ConfigurationError;
}

builder.AddSiloLogging();          // console, one line per entry
builder.AddSiloHttp(settings);     // Kestrel on ListenAddress:HttpPort only; 30 s graceful shutdown
builder.AddPostgresSilo(settings); // grain storage, clustering and reminders in PostgreSQL, plus the grains
builder.AddSiloMetrics();          // Prometheus collector: Actors.Runtime, System.Runtime, ASP.NET Core, Npgsql
builder.AddSiloHealth(settings);   // readiness check and the startup report line

var app = builder.Build();
app.MapSiloHealth();               // GET /healthz, GET /readyz
app.MapPrometheusMetrics();        // GET /metrics
return await app.RunSiloAsync();   // until SIGTERM / Ctrl+C, then drain and leave the cluster
