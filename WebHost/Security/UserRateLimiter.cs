using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Security;

/// <summary>The outcome of asking for one call's permit.</summary>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static RateLimitDecision Allow { get; } = new(true, TimeSpan.Zero);

    /// <summary>Whole seconds for a Retry-After header (at least 1).</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}

/// <summary>
/// Per-user (and per-IP for anonymous callers) token buckets from <see cref="RateLimitOptions"/>;
/// REST and the hub share a user's budget. Callers that are refused answer 429 / rate_limited.
/// </summary>
public interface IUserRateLimiter
{
    /// <summary>Takes one permit from the user's bucket.</summary>
    RateLimitDecision TryAcquire(string userId);

    /// <summary>Takes one permit from the anonymous bucket of this client address.</summary>
    RateLimitDecision TryAcquireAnonymous(IPAddress? address);
}

internal sealed class UserRateLimiter : IUserRateLimiter, IDisposable
{
    private readonly bool enabled;
    private readonly PartitionedRateLimiter<string> users;
    private readonly PartitionedRateLimiter<string> anonymous;

    public UserRateLimiter(IOptions<RateLimitOptions> options)
    {
        var settings = options.Value;
        enabled = settings.Enabled;
        users = Create(settings.User);
        anonymous = Create(settings.Anonymous);
    }

    public RateLimitDecision TryAcquire(string userId) => Acquire(users, userId);

    public RateLimitDecision TryAcquireAnonymous(IPAddress? address) => Acquire(anonymous, address?.ToString() ?? "unknown");

    private RateLimitDecision Acquire(PartitionedRateLimiter<string> limiter, string key)
    {
        if (!enabled)
        {
            return RateLimitDecision.Allow;
        }

        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return RateLimitDecision.Allow;
        }

        return new RateLimitDecision(false, lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1));
    }

    private static PartitionedRateLimiter<string> Create(TokenBucketSettings bucket) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = bucket.PermitLimit,
            TokensPerPeriod = bucket.TokensPerPeriod,
            ReplenishmentPeriod = bucket.ReplenishmentPeriod,
            QueueLimit = 0,
            AutoReplenishment = false,
        }));

    public void Dispose()
    {
        users.Dispose();
        anonymous.Dispose();
    }
}
