using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Security;

/// <summary>Origins allowed to call the API and the hub from a browser (section <see cref="SectionName"/>).</summary>
public sealed class CorsSettings : IValidatableObject
{
    public const string SectionName = "Actors:Cors";

    /// <summary>Exact origins, e.g. "https://app.example.com"; empty allows none (same-origin only).</summary>
    [Required]
    public List<string> AllowedOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || origin.EndsWith('/'))
            {
                yield return new ValidationResult($"{SectionName}:AllowedOrigins: '{origin}' is not an origin like https://app.example.com", [nameof(AllowedOrigins)]);
            }
        }
    }
}

[OptionsValidator]
internal sealed partial class CorsSettingsValidator : IValidateOptions<CorsSettings>;
