using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actors.Grains.Resources;

/// <summary>Size and depth limits of JSON documents, and RFC 7396 merge patch.</summary>
internal static class JsonRules
{
    /// <summary>Throws validation_failed when the JSON text is larger than <paramref name="maxBytes"/> or deeper than 32.</summary>
    public static void Check(JsonElement value, string field, int maxBytes)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            throw DomainException.Validation(field, "is required");
        }

        var text = value.GetRawText();
        var size = Encoding.UTF8.GetByteCount(text);
        if (size > maxBytes)
        {
            throw DomainException.Validation(field, $"is {size} bytes; the limit is {maxBytes}");
        }

        if (Depth(text) > Limits.JsonMaxDepth)
        {
            throw DomainException.Validation(field, $"nests deeper than {Limits.JsonMaxDepth} levels");
        }
    }

    /// <summary>Nesting depth counting objects and arrays (a scalar is 0, {} is 1).</summary>
    public static int Depth(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { MaxDepth = 4096 });
        var max = 0;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                max = Math.Max(max, reader.CurrentDepth + 1);
            }
        }

        return max;
    }

    /// <summary>Applies an RFC 7396 JSON merge patch to <paramref name="target"/> and returns the result.</summary>
    public static JsonElement MergePatch(JsonElement target, JsonElement patch)
    {
        var merged = Apply(JsonNode.Parse(target.GetRawText()), JsonNode.Parse(patch.GetRawText()));
        return JsonSerializer.SerializeToElement(merged);
    }

    private static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (name, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                var current = result[name];
                result.Remove(name);
                result[name] = Apply(current, value);
            }
        }

        return result;
    }
}
