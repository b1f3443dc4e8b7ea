using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Actors.Runtime.Configuration;

namespace Actors.Silo;

/// <summary>
/// What the host itself needs from configuration before it builds anything: the PostgreSQL
/// connection string (required), the cluster id, and the addresses and ports it binds. The runtime
/// binds <see cref="ClusterOptions"/> and <see cref="SiloOptions"/> from the same sections.
/// </summary>
internal sealed record SiloSettings(
    string ConnectionString,
    string ClusterId,
    IPAddress ListenAddress,
    string AdvertisedHost,
    int SiloPort,
    int HttpPort,
    DateTimeOffset StartedAt)
{
    public const string ConnectionStringKey = "ConnectionStrings:Postgres";

    /// <summary>
    /// Reads and checks the settings. A silo port or HTTP port of 0 is replaced by a free port chosen
    /// here (and written back to the configuration), so that the membership row records the real
    /// HTTP port and the host can find its own row by host and silo port.
    /// </summary>
    public static bool TryRead(IConfigurationManager configuration, [NotNullWhen(true)] out SiloSettings? settings, [NotNullWhen(false)] out string? problem)
    {
        settings = null;
        var connectionString = configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            problem = $"Silo: the configuration key '{ConnectionStringKey}' is required: a standalone silo keeps grain state, " +
                "cluster membership and reminders in PostgreSQL. Set it in appsettings.json, as the environment variable " +
                "ConnectionStrings__Postgres, or on the command line (--ConnectionStrings:Postgres=\"Host=...;Database=...\").";
            return false;
        }

        var cluster = new ClusterOptions();
        try
        {
            configuration.GetSection(ClusterOptions.SectionName).Bind(cluster);
        }
        catch (InvalidOperationException exception)
        {
            problem = $"Silo: the section '{ClusterOptions.SectionName}' is not valid: {exception.Message}";
            return false;
        }

        if (!IPAddress.TryParse(cluster.ListenAddress, out var listen))
        {
            problem = $"Silo: '{ClusterOptions.SectionName}:ListenAddress' must be an IP address (e.g. 127.0.0.1 or 0.0.0.0), not '{cluster.ListenAddress}'.";
            return false;
        }

        if (cluster.SiloPort is < 0 or > 65535 || cluster.HttpPort is < 0 or > 65535)
        {
            problem = $"Silo: '{ClusterOptions.SectionName}:SiloPort' and ':HttpPort' must be between 0 (pick a free port) and 65535.";
            return false;
        }

        var siloPort = cluster.SiloPort == 0 ? PickFreePort(listen) : cluster.SiloPort;
        var httpPort = cluster.HttpPort == 0 ? PickFreePort(listen) : cluster.HttpPort;
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{ClusterOptions.SectionName}:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            [$"{ClusterOptions.SectionName}:HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture),
        });

        settings = new SiloSettings(connectionString, cluster.ClusterId, listen, cluster.AdvertisedHost, siloPort, httpPort, DateTimeOffset.UtcNow);
        problem = null;
        return true;
    }

    /// <summary>A port that is free on <paramref name="address"/> now (the OS picks it; it stays free unless another process binds it in between).</summary>
    private static int PickFreePort(IPAddress address)
    {
        using var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
