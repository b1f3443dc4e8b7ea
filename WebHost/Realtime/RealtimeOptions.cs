using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Realtime;

/// <summary>Options of the realtime bridge (section <see cref="SectionName"/>).</summary>
public sealed class RealtimeOptions
{
    public const string SectionName = "Actors:Realtime";

    /// <summary>Messages a connection may have queued before it is declared slow and told to resync.</summary>
    [Range(16, 1_000_000)]
    public int OutboxCapacity { get; set; } = 4096;

    /// <summary>How often the node renews its observer leases with the grains it watches.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan LeaseRenewal { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A dropped connection stays present this long, so a quick reconnect does not flap.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DisconnectGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Presence meta updates per connection are coalesced to at most one per this interval.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan PresenceInterval { get; set; } = TimeSpan.FromMilliseconds(50);
}

[OptionsValidator]
internal sealed partial class RealtimeOptionsValidator : IValidateOptions<RealtimeOptions>;
