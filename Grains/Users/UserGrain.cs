using System.Buffers.Text;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Users;

/// <summary>
/// One user: profile, password hash, refresh-token families (rotation with reuse detection), the
/// sessions the user belongs to, and platform presence (UserGrain.Presence.cs).
/// </summary>
[GrainType("user")]
internal sealed partial class UserGrain(
    [PersistentState("user")] IPersistentState<UserState> state,
    IOptions<DomainOptions> options,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private const int SessionsPageMax = 100;

    /// <summary>PasswordHasher is stateless apart from its options; one instance serves every user.</summary>
    private static readonly PasswordHasher<UserState> Hasher = new();

    private string Id => GetPrimaryKeyString();

    public async Task<UserProfile> CreateAsync(string email, string password, string displayName, ImmutableArray<string> roles)
    {
        var trimmedEmail = UserRules.CheckEmail(email);
        UserRules.CheckPassword(password);
        var name = UserRules.CheckDisplayName(displayName);
        var checkedRoles = UserRules.CheckRoles(roles);
        if (!Limits.Id().IsMatch(Id))
        {
            throw DomainException.Validation("id", "must match [A-Za-z0-9_-]{1,64}");
        }

        if (state.RecordExists)
        {
            throw EmailTaken();
        }

        // The web layer claims first; claiming again here is idempotent for this id and keeps the index
        // authoritative for any other caller.
        var normalized = UserRules.NormalizeEmail(trimmedEmail);
        var owner = await GrainFactory.GetGrain<IEmailIndexGrain>(normalized).ClaimAsync(Id);
        if (!string.Equals(owner, Id, StringComparison.Ordinal))
        {
            throw EmailTaken();
        }

        state.State = new UserState
        {
            Email = trimmedEmail,
            NormalizedEmail = normalized,
            DisplayName = name,
            Roles = checkedRoles,
            CreatedAt = TimeProvider.GetUtcNow(),
        };
        state.State.PasswordHash = Hasher.HashPassword(state.State, password);
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            // Another activation of this id created the user first (a race between silos).
            throw EmailTaken();
        }
        catch
        {
            await ResyncAfterFailedWriteAsync();
            throw;
        }

        return Profile();
    }

    public Task<UserProfile> GetProfileAsync()
    {
        RequireExists();
        return Task.FromResult(Profile());
    }

    public Task<UserCard> GetCardAsync()
    {
        RequireExists();
        return Task.FromResult(new UserCard(Id, state.State.DisplayName, Presence()));
    }

    public async Task<UserProfile> UpdateDisplayNameAsync(string displayName)
    {
        var name = UserRules.CheckDisplayName(displayName);
        RequireExists();
        if (!string.Equals(name, state.State.DisplayName, StringComparison.Ordinal))
        {
            state.State.DisplayName = name;
            await PersistAsync();
        }

        return Profile();
    }

    public async Task<UserProfile> SetRolesAsync(ImmutableArray<string> roles)
    {
        var checkedRoles = UserRules.CheckRoles(roles);
        RequireExists();
        if (!checkedRoles.SequenceEqual(state.State.Roles, StringComparer.Ordinal))
        {
            state.State.Roles = checkedRoles;
            await PersistAsync();
        }

        return Profile();
    }

    public async Task<UserProfile> VerifyPasswordAsync(string password)
    {
        if (!state.RecordExists)
        {
            DeactivateOnIdle();
            throw InvalidCredentials();
        }

        if (string.IsNullOrEmpty(password) || password.Length > Limits.PasswordMax)
        {
            throw InvalidCredentials();
        }

        switch (Hasher.VerifyHashedPassword(state.State, state.State.PasswordHash, password))
        {
            case PasswordVerificationResult.Success:
                break;
            case PasswordVerificationResult.SuccessRehashNeeded:
                state.State.PasswordHash = Hasher.HashPassword(state.State, password);
                try
                {
                    await PersistAsync();
                    UsersLog.PasswordRehashed(logger, Id);
                }
                catch (Exception exception) when (exception is not DomainException)
                {
                    // The old hash still verifies; a login must not fail because the upgrade could not be stored.
                    UsersLog.RehashPersistFailed(logger, exception, Id);
                }

                break;
            default:
                throw InvalidCredentials();
        }

        return Profile();
    }

    public async Task<RefreshTokenIssue> IssueRefreshTokenAsync()
    {
        RequireExists();
        var now = TimeProvider.GetUtcNow();
        var families = state.State.RefreshFamilies;
        families.RemoveAll(f => f.ExpiresAt <= now);
        while (families.Count >= RefreshTokens.MaxFamilies)
        {
            // Revoked families go first (oldest first), then the oldest live one.
            var victim = families.Where(f => f.Revoked).MinBy(f => f.CreatedAt) ?? families.MinBy(f => f.CreatedAt)!;
            families.Remove(victim);
        }

        var family = new RefreshTokenFamily { Id = RefreshTokens.NewFamilyId(), CreatedAt = now };
        families.Add(family);
        var issue = NextToken(family, now);
        await PersistAsync();
        return issue;
    }

    public async Task<RefreshTokenIssue> RotateRefreshTokenAsync(string token)
    {
        var now = TimeProvider.GetUtcNow();
        if (!RefreshTokens.TryParse(token, out var userId, out var familyId) || !string.Equals(userId, Id, StringComparison.Ordinal))
        {
            throw Unauthorized();
        }

        if (!state.RecordExists)
        {
            DeactivateOnIdle();
            throw Unauthorized();
        }

        var family = state.State.RefreshFamilies.Find(f => string.Equals(f.Id, familyId, StringComparison.Ordinal));
        if (family is null || family.ExpiresAt <= now)
        {
            throw Unauthorized();
        }

        var hash = RefreshTokens.Hash(token);
        var isCurrent = RefreshTokens.HashEquals(hash, family.CurrentHash);
        var isPrevious = RefreshTokens.AnyHashEquals(hash, family.PreviousHashes);
        if (!isCurrent && !isPrevious)
        {
            // A made-up secret: it proves nothing, so it revokes nothing.
            throw Unauthorized();
        }

        if (family.Revoked)
        {
            throw TokenReused();
        }

        if (isPrevious)
        {
            family.Revoked = true;
            await PersistAsync();
            UsersLog.FamilyRevokedOnReuse(logger, Id, family.Id);
            throw TokenReused();
        }

        family.PreviousHashes.Add(family.CurrentHash);
        if (family.PreviousHashes.Count > RefreshTokens.MaxPreviousHashes)
        {
            family.PreviousHashes.RemoveRange(0, family.PreviousHashes.Count - RefreshTokens.MaxPreviousHashes);
        }

        var issue = NextToken(family, now);
        await PersistAsync();
        return issue;
    }

    public async Task RevokeRefreshTokenAsync(string token)
    {
        if (!RefreshTokens.TryParse(token, out var userId, out var familyId) || !string.Equals(userId, Id, StringComparison.Ordinal))
        {
            return;
        }

        if (!state.RecordExists)
        {
            DeactivateOnIdle();
            return;
        }

        var family = state.State.RefreshFamilies.Find(f => string.Equals(f.Id, familyId, StringComparison.Ordinal));
        if (family is null || family.Revoked)
        {
            return;
        }

        var hash = RefreshTokens.Hash(token);
        if (RefreshTokens.HashEquals(hash, family.CurrentHash) | RefreshTokens.AnyHashEquals(hash, family.PreviousHashes))
        {
            family.Revoked = true;
            await PersistAsync();
        }
    }

    public async Task AddSessionAsync(string sessionId, string role)
    {
        CheckSessionId(sessionId);
        if (role is null || !SessionRoles.IsValid(role))
        {
            throw DomainException.Validation("role", $"must be {SessionRoles.Owner}, {SessionRoles.Member} or {SessionRoles.Viewer}");
        }

        RequireExists();
        if (state.State.Sessions.TryGetValue(sessionId, out var entry))
        {
            if (string.Equals(entry.Role, role, StringComparison.Ordinal))
            {
                return;
            }

            entry.Role = role;
        }
        else
        {
            state.State.Sessions[sessionId] = new SessionEntry { Role = role, JoinedAt = TimeProvider.GetUtcNow() };
        }

        await PersistAsync();
    }

    public async Task RemoveSessionAsync(string sessionId)
    {
        CheckSessionId(sessionId);
        if (!state.RecordExists)
        {
            DeactivateOnIdle();
            return;
        }

        if (state.State.Sessions.Remove(sessionId))
        {
            await PersistAsync();
        }
    }

    public Task<SessionMembershipPage> ListSessionsAsync(string? cursor, int limit)
    {
        if (limit <= 0)
        {
            throw DomainException.Validation("limit", "must be a positive number");
        }

        limit = Math.Min(limit, SessionsPageMax);
        (long Ticks, string Id)? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            after = DecodeCursor(cursor) ?? throw DomainException.Validation("cursor", "is not a valid cursor");
        }

        RequireExists();
        var ordered = state.State.Sessions
            .Select(p => (Ticks: p.Value.JoinedAt.UtcTicks, Id: p.Key, p.Value))
            .OrderBy(s => s.Ticks)
            .ThenBy(s => s.Id, StringComparer.Ordinal)
            .Where(s => after is not { } a || s.Ticks > a.Ticks || (s.Ticks == a.Ticks && string.CompareOrdinal(s.Id, a.Id) > 0))
            .Take(limit + 1)
            .ToList();
        var items = ordered.Take(limit).Select(s => new SessionMembership(s.Id, s.Value.Role, s.Value.JoinedAt)).ToImmutableArray();
        var next = ordered.Count > limit ? EncodeCursor(ordered[limit - 1].Ticks, ordered[limit - 1].Id) : null;
        return Task.FromResult(new SessionMembershipPage(items, next));
    }

    private RefreshTokenIssue NextToken(RefreshTokenFamily family, DateTimeOffset now)
    {
        var token = RefreshTokens.NewToken(Id, family.Id);
        family.CurrentHash = RefreshTokens.Hash(token);
        family.ExpiresAt = now + options.Value.RefreshTokenLifetime;
        return new RefreshTokenIssue(token, family.ExpiresAt);
    }

    /// <summary>Writes; when the write fails the in-memory state is re-read so it never runs ahead of storage.</summary>
    private async Task PersistAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            // The runtime replaces this activation; the next call reloads.
            throw;
        }
        catch
        {
            await ResyncAfterFailedWriteAsync();
            throw;
        }
    }

    private async Task ResyncAfterFailedWriteAsync()
    {
        try
        {
            await state.ReadStateAsync();
        }
        catch (Exception exception)
        {
            UsersLog.ReloadFailed(logger, exception, Id);
            DeactivateOnIdle();
        }
    }

    private void RequireExists()
    {
        if (!state.RecordExists)
        {
            // Don't keep activations of unknown users around.
            DeactivateOnIdle();
            throw DomainException.NotFound($"user {Id} does not exist");
        }
    }

    private UserProfile Profile() =>
        new(Id, state.State.Email, state.State.DisplayName, [.. state.State.Roles], state.State.CreatedAt);

    private static void CheckSessionId(string sessionId)
    {
        if (sessionId is null || !Limits.Id().IsMatch(sessionId))
        {
            throw DomainException.Validation("sessionId", "must match [A-Za-z0-9_-]{1,64}");
        }
    }

    private static string EncodeCursor(long ticks, string sessionId) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{ticks}:{sessionId}")));

    private static (long Ticks, string Id)? DecodeCursor(string cursor)
    {
        if (cursor.Length > 200)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && Limits.Id().IsMatch(text[(colon + 1)..])
            ? (ticks, text[(colon + 1)..])
            : null;
    }

    private static DomainException EmailTaken() => new(ErrorCodes.EmailTaken, "this email address is already registered");

    private static DomainException InvalidCredentials() => new(ErrorCodes.InvalidCredentials, "the email or password is wrong");

    private static DomainException Unauthorized() => new(ErrorCodes.Unauthorized, "the refresh token is invalid or expired");

    private static DomainException TokenReused() =>
        new(ErrorCodes.TokenReused, "the refresh token was already used or revoked; sign in again");
}
