using System.ComponentModel.DataAnnotations;
using Actors.Grains;

namespace Actors.WebHost.Api.Contracts;

public sealed record RegisterRequest
{
    [Required(ErrorMessage = "is required")]
    [StringLength(Limits.EmailMax, ErrorMessage = "must be at most 254 characters")]
    [EmailAddress(ErrorMessage = "is not a valid email address")]
    public string? Email { get; init; }

    [Required(ErrorMessage = "is required")]
    [StringLength(Limits.PasswordMax, MinimumLength = Limits.PasswordMin, ErrorMessage = "must be 8–256 characters")]
    public string? Password { get; init; }

    [Required(ErrorMessage = "is required")]
    [StringLength(Limits.DisplayNameMax, MinimumLength = 1, ErrorMessage = "must be 1–100 characters")]
    public string? DisplayName { get; init; }
}

public sealed record LoginRequest
{
    [Required(ErrorMessage = "is required")]
    [StringLength(Limits.EmailMax, ErrorMessage = "must be at most 254 characters")]
    public string? Email { get; init; }

    [Required(ErrorMessage = "is required")]
    [StringLength(Limits.PasswordMax, ErrorMessage = "must be at most 256 characters")]
    public string? Password { get; init; }
}

public sealed record RefreshRequest
{
    [Required(ErrorMessage = "is required")]
    [StringLength(1024, ErrorMessage = "must be at most 1024 characters")]
    public string? RefreshToken { get; init; }
}

/// <summary>Register, login and refresh answer with the user and a fresh token pair; expiresIn is the access token's lifetime in seconds.</summary>
public sealed record AuthResponse(UserProfile User, string AccessToken, string RefreshToken, int ExpiresIn);
