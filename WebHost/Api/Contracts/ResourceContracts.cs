using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Actors.Grains;

namespace Actors.WebHost.Api.Contracts;

public sealed record CreateResourceRequest : IValidatableObject
{
    [Required(ErrorMessage = "is required")]
    [StringLength(Limits.ResourceNameMax, MinimumLength = 1, ErrorMessage = "must be 1–200 characters")]
    public string? Name { get; init; }

    [Required(ErrorMessage = "is required")]
    [RegularExpression("^[a-z0-9._-]{1,64}$", ErrorMessage = "must match [a-z0-9._-]{1,64}")]
    public string? Kind { get; init; }

    /// <summary>Any JSON value, at most 256 KiB and 32 levels deep.</summary>
    public JsonElement Data { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        JsonLimits.Check(Data, nameof(Data), Limits.ResourceDataMaxBytes, required: true);
}

public sealed record ReplaceResourceRequest : IValidatableObject
{
    public JsonElement Data { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        JsonLimits.Check(Data, nameof(Data), Limits.ResourceDataMaxBytes, required: true);
}

public sealed record LockRequest
{
    [Required(ErrorMessage = "is required")]
    [Range(1, Limits.LockTtlMaxSeconds, ErrorMessage = "must be between 1 and 300")]
    public int? TtlSeconds { get; init; }
}
