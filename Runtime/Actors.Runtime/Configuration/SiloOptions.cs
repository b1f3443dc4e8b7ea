using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Configuration;

/// <summary>Options of one silo (section <see cref="SectionName"/>).</summary>
public sealed class SiloOptions
{
    public const string SectionName = "Actors:Silo";

    /// <summary>Name of this silo in logs and metrics.</summary>
    [Required]
    [StringLength(128, MinimumLength = 1)]
    public string SiloName { get; set; } = Environment.MachineName;

    /// <summary>How long a caller waits for a response before <see cref="TimeoutException"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An activation idle this long is collected.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "30.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often call deadlines and idle activations are checked.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan MaintenancePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Default maximum activations per stateless worker id; 0 means one per processor.</summary>
    [Range(0, 1024)]
    public int MaxStatelessWorkers { get; set; }

    /// <summary>How long OnDeactivateAsync may run before it is abandoned.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Items one activation runs before yielding its thread to other activations.</summary>
    [Range(1, 100_000)]
    public int TurnBatchSize { get; set; } = 64;
}

[OptionsValidator]
internal sealed partial class SiloOptionsValidator : IValidateOptions<SiloOptions>;
