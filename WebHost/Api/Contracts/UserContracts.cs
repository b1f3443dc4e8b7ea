using System.ComponentModel.DataAnnotations;
using Actors.Grains;

namespace Actors.WebHost.Api.Contracts;

public sealed record UpdateMeRequest
{
    [Required(ErrorMessage = "is required")]
    [StringLength(Limits.DisplayNameMax, MinimumLength = 1, ErrorMessage = "must be 1–100 characters")]
    public string? DisplayName { get; init; }
}
