using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Configuration;

/// <summary>How a silo joins a cluster (section <see cref="SectionName"/>). Used only when a membership table is configured.</summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Actors:Cluster";

    /// <summary>Silos with the same cluster id form one cluster.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$")]
    public string ClusterId { get; set; } = "dev";

    /// <summary>Address the silo and gateway listeners bind to.</summary>
    [Required]
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Host name or address other silos and clients use to reach this silo.</summary>
    [Required]
    public string AdvertisedHost { get; set; } = "127.0.0.1";

    /// <summary>Silo-to-silo port; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int SiloPort { get; set; }

    /// <summary>Client gateway port; 0 picks a free one, -1 disables the gateway.</summary>
    [Range(-1, 65535)]
    public int GatewayPort { get; set; }

    /// <summary>HTTP port recorded in the membership table for operators (health, metrics); 0 when none.</summary>
    [Range(0, 65535)]
    public int HttpPort { get; set; }

    /// <summary>How often a silo writes its heartbeat.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan HeartbeatPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a silo re-reads the membership table.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan TableRefreshPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each peer is probed over its connection.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ProbePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A probe not answered within this counts as missed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive missed probes before a silo votes its peer dead.</summary>
    [Range(1, 100)]
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>Votes needed to declare a silo dead (capped at the number of other live silos).</summary>
    [Range(1, 10)]
    public int NumVotesForDeath { get; set; } = 2;

    /// <summary>Votes older than this no longer count.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DeathVoteExpiration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A silo whose heartbeat is older than this is declared dead by any peer (detection bound).</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan DeathTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How often the reminder service re-reads the reminders this silo owns.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ReminderRefreshPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Shortest allowed reminder period.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MinimumReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a cluster client waits at start for an active gateway.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ClientStartupWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Virtual nodes per silo on the placement ring.</summary>
    [Range(1, 1000)]
    public int VirtualNodesPerSilo { get; set; } = 30;
}

[OptionsValidator]
internal sealed partial class ClusterOptionsValidator : IValidateOptions<ClusterOptions>;
