using System.Collections.Immutable;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Actors.Grains;

namespace Actors.WebHost.Api.Contracts;

public sealed record CreateSessionRequest
{
    [Required(ErrorMessage = "is required")]
    [StringLength(Limits.TitleMax, MinimumLength = 1, ErrorMessage = "must be 1–200 characters")]
    public string? Title { get; init; }

    /// <summary>private (the default) or public.</summary>
    [RegularExpression("^(private|public)$", ErrorMessage = "must be private or public")]
    public string? Visibility { get; init; }
}

public sealed record UpdateSessionRequest
{
    [StringLength(Limits.TitleMax, MinimumLength = 1, ErrorMessage = "must be 1–200 characters")]
    public string? Title { get; init; }

    [RegularExpression("^(private|public)$", ErrorMessage = "must be private or public")]
    public string? Visibility { get; init; }
}

public sealed record SetMemberRequest
{
    [Required(ErrorMessage = "is required")]
    [RegularExpression("^(owner|member|viewer)$", ErrorMessage = "must be owner, member or viewer")]
    public string? Role { get; init; }
}

public sealed record PublishRequest : IValidatableObject
{
    [Required(ErrorMessage = "is required")]
    [RegularExpression("^[a-z0-9._-]{1,64}$", ErrorMessage = "must match [a-z0-9._-]{1,64}")]
    public string? Type { get; init; }

    /// <summary>Any JSON value (null included), at most 16 KiB as UTF-8 JSON text.</summary>
    public JsonElement Payload { get; init; }

    [StringLength(Limits.ClientMsgIdMax, MinimumLength = 1, ErrorMessage = "must be 1–128 characters")]
    public string? ClientMsgId { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        JsonLimits.Check(Payload, nameof(Payload), Limits.EventPayloadMaxBytes, required: true);
}

public sealed record PublishResponse(long Seq, DateTimeOffset At);

public sealed record SessionList(ImmutableArray<SessionView> Items, string? NextCursor);

public sealed record EventList(ImmutableArray<SessionEvent> Items, long LastSeq);

public sealed record ItemList<T>(ImmutableArray<T> Items);
