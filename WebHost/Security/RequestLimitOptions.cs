using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Security;

/// <summary>Request size limits (section <see cref="SectionName"/>).</summary>
public sealed class RequestLimitOptions
{
    public const string SectionName = "Actors:Http";

    /// <summary>Larger bodies get 413 payload_too_large before anything reads them (resource data is ≤ 256 KiB).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 512 * 1024;
}

[OptionsValidator]
internal sealed partial class RequestLimitOptionsValidator : IValidateOptions<RequestLimitOptions>;
