using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using Actors.Grains;

namespace Actors.WebHost.Api.Contracts;

/// <summary>Early checks of free-form JSON (the grains check again): present, size as UTF-8 JSON text, depth.</summary>
public static class JsonLimits
{
    public static IEnumerable<ValidationResult> Check(JsonElement value, string property, int maxBytes, bool required)
    {
        var field = JsonNamingPolicy.CamelCase.ConvertName(property);
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            if (required)
            {
                yield return new ValidationResult("is required", [field]);
            }

            yield break;
        }

        if (Encoding.UTF8.GetByteCount(value.GetRawText()) > maxBytes)
        {
            yield return new ValidationResult($"must be at most {maxBytes / 1024} KiB of JSON", [field]);
        }
        else if (Depth(value) > Limits.JsonMaxDepth)
        {
            yield return new ValidationResult($"must be at most {Limits.JsonMaxDepth} levels deep", [field]);
        }
    }

    /// <summary>Nested objects and arrays; a scalar is 0, {} or [] is 1.</summary>
    public static int Depth(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => 1 + value.EnumerateObject().Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
        JsonValueKind.Array => 1 + value.EnumerateArray().Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };
}
