using Microsoft.Extensions.Logging;

namespace Actors.Grains.Users;

/// <summary>Persisted state of an email claim (state name "email").</summary>
[StateVersion(1)]
internal sealed class EmailIndexState
{
    public string? UserId { get; set; }
}

/// <summary>
/// One normalised email address (the key) and the user that owns it. The first claim wins; the
/// state's ETag settles a race between two activations of one address (during a cluster handoff).
/// </summary>
[GrainType("email")]
internal sealed class EmailIndexGrain(
    [PersistentState("email")] IPersistentState<EmailIndexState> state,
    ILogger<EmailIndexGrain> logger) : Grain, IEmailIndexGrain
{
    private const int MaxClaimAttempts = 3;

    public async Task<string> ClaimAsync(string userId)
    {
        CheckKey();
        CheckUserId(userId);
        for (var attempt = 1; ; attempt++)
        {
            if (state.State.UserId is { } owner)
            {
                return owner;
            }

            state.State.UserId = userId;
            try
            {
                await state.WriteStateAsync();
                return userId;
            }
            catch (InconsistentStateException) when (attempt < MaxClaimAttempts)
            {
                // Another activation wrote first: the stored owner (if any) wins. This activation is
                // replaced after the turn, but the answer is already right.
                await state.ReadStateAsync();
                UsersLog.ClaimRaced(logger, userId, state.State.UserId);
            }
            catch (Exception exception) when (exception is not InconsistentStateException)
            {
                state.State.UserId = null;
                throw;
            }
        }
    }

    public Task<string?> GetUserIdAsync()
    {
        CheckKey();
        if (state.State.UserId is null)
        {
            // Unknown addresses (failed logins) should not pile up as activations.
            DeactivateOnIdle();
        }

        return Task.FromResult(state.State.UserId);
    }

    public async Task ReleaseAsync(string userId)
    {
        CheckKey();
        CheckUserId(userId);
        if (string.Equals(state.State.UserId, userId, StringComparison.Ordinal))
        {
            await state.ClearStateAsync();
        }
    }

    /// <summary>The key must be a normalised address: trimmed, lower-case (invariant), 1–254 characters with an @.</summary>
    private void CheckKey()
    {
        var key = GetPrimaryKeyString();
        if (key.Length is 0 or > Limits.EmailMax || !key.Contains('@', StringComparison.Ordinal)
            || !string.Equals(key, key.Trim(), StringComparison.Ordinal)
            || !string.Equals(key, key.ToLowerInvariant(), StringComparison.Ordinal))
        {
            DeactivateOnIdle();
            throw DomainException.Validation("email", "the index key must be a trimmed, lower-case address of at most 254 characters");
        }
    }

    private static void CheckUserId(string userId)
    {
        if (userId is null || !Limits.Id().IsMatch(userId))
        {
            throw DomainException.Validation("userId", "must match [A-Za-z0-9_-]{1,64}");
        }
    }
}
