using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Security;

/// <summary>
/// Token buckets for REST and hub calls (section <see cref="SectionName"/>): one per signed-in user,
/// and one per client IP for anonymous calls (register, login, refresh).
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Actors:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Per user, shared by REST and hub calls.</summary>
    [Required]
    [ValidateObjectMembers]
    public TokenBucketSettings User { get; set; } = new() { PermitLimit = 1000, TokensPerPeriod = 200, ReplenishmentPeriod = TimeSpan.FromSeconds(1) };

    /// <summary>Per client IP address, for calls without a user.</summary>
    [Required]
    [ValidateObjectMembers]
    public TokenBucketSettings Anonymous { get; set; } = new() { PermitLimit = 300, TokensPerPeriod = 50, ReplenishmentPeriod = TimeSpan.FromSeconds(1) };
}

/// <summary>A bucket of <see cref="PermitLimit"/> tokens (the burst), refilled by <see cref="TokensPerPeriod"/> every <see cref="ReplenishmentPeriod"/>.</summary>
public sealed class TokenBucketSettings
{
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 100;

    [Range(1, 1_000_000)]
    public int TokensPerPeriod { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

[OptionsValidator]
internal sealed partial class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>;
