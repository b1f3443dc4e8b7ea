using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Actors.Grains;

/// <summary>Options of the domain grains (section <see cref="SectionName"/>).</summary>
public sealed class DomainOptions
{
    public const string SectionName = "Actors:Domain";

    /// <summary>PostgreSQL for the session event log; null runs the log in memory (development only).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long session events are kept for resume.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan EventRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A user whose last connection dropped stays online this long (no flapping on reconnect).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan PresenceGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A WebHost node must renew its session/resource subscriptions within this lease.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan NodeLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Refresh tokens expire after this.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);
}

[OptionsValidator]
internal sealed partial class DomainOptionsValidator : IValidateOptions<DomainOptions>;
