using System.Text.Json;

namespace Actors.Grains.Resources;

/// <summary>Persisted state of a resource (jsonb in actors_grain_state).</summary>
[StateVersion(1)]
internal sealed class ResourceState
{
    public string SessionId { get; set; } = "";

    public string Name { get; set; } = "";

    public string Kind { get; set; } = "";

    public JsonElement Data { get; set; }

    public long Version { get; set; }

    public string UpdatedBy { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Newest first, the current version included, at most <see cref="Limits.HistoryKept"/>.</summary>
    public List<ResourceVersion> History { get; set; } = [];

    public ResourceLock? Lock { get; set; }
}
