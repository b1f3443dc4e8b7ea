using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Auth;

/// <summary>JWT settings (section <see cref="SectionName"/>).</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Actors:Auth";

    /// <summary>HS256 key: base64 of at least 32 bytes, or text of at least 32 characters. Empty: a random key per process (development).</summary>
    public string? SigningKey { get; set; }

    [Required]
    public string Issuer { get; set; } = "actors";

    [Required]
    public string Audience { get; set; } = "actors";

    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Tolerated clock difference when validating token lifetimes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(SigningKey) && SigningKeys.Decode(SigningKey) is null)
        {
            yield return new ValidationResult(
                $"{SectionName}:SigningKey must be base64 of at least 32 bytes or text of at least 32 characters.", [nameof(SigningKey)]);
        }
    }
}

[OptionsValidator]
internal sealed partial class AuthOptionsValidator : IValidateOptions<AuthOptions>;
