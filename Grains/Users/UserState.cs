namespace Actors.Grains.Users;

/// <summary>Persisted state of a user (jsonb in actors_grain_state, state name "user").</summary>
[StateVersion(1)]
internal sealed class UserState
{
    /// <summary>The address as entered (surrounding whitespace removed).</summary>
    public string Email { get; set; } = "";

    /// <summary>Trimmed and lower-cased (invariant): the key of the email index.</summary>
    public string NormalizedEmail { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public List<string> Roles { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>ASP.NET Core Identity's PasswordHasher format (base64).</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>Oldest first; at most <see cref="RefreshTokens.MaxFamilies"/>.</summary>
    public List<RefreshTokenFamily> RefreshFamilies { get; set; } = [];

    /// <summary>Session id → this user's role and when they joined.</summary>
    public Dictionary<string, SessionEntry> Sessions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the user's last live connection ended (null: never connected).</summary>
    public DateTimeOffset? LastSeenAt { get; set; }
}

/// <summary>
/// One login's chain of refresh tokens. Only SHA-256 hashes (hex) are kept: the newest token's and
/// a bounded list of rotated ones, so that a rotated token presented again is recognised as reuse.
/// </summary>
internal sealed class RefreshTokenFamily
{
    public string Id { get; set; } = "";

    public string CurrentHash { get; set; } = "";

    /// <summary>Hashes of rotated tokens, oldest first; at most <see cref="RefreshTokens.MaxPreviousHashes"/>.</summary>
    public List<string> PreviousHashes { get; set; } = [];

    public bool Revoked { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Slides forward on every rotation (now + RefreshTokenLifetime).</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class SessionEntry
{
    public string Role { get; set; } = "";

    public DateTimeOffset JoinedAt { get; set; }
}
