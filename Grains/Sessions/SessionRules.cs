using System.Buffers;
using System.Collections.Frozen;
using System.Text.Json;

namespace Actors.Grains.Sessions;

/// <summary>The input limits of sessions (DESIGN §4–§5), each failing with a typed <see cref="DomainException"/>.</summary>
internal static class SessionRules
{
    public const int ConnectionIdMax = 128;
    public const int NodeIdMax = 128;

    private static readonly FrozenSet<string> ReservedTypes = new[]
    {
        SystemEvents.MemberJoined, SystemEvents.MemberLeft, SystemEvents.MemberRoleChanged, SystemEvents.SessionClosed,
        SystemEvents.ResourceCreated, SystemEvents.ResourceUpdated, SystemEvents.ResourceDeleted,
    }.ToFrozenSet(StringComparer.Ordinal);

    public static string SessionId(string? id)
    {
        if (id is null || !Limits.Id().IsMatch(id))
        {
            throw DomainException.Validation("id", "must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'");
        }

        return id;
    }

    /// <summary>A user id (caller, owner, member).</summary>
    public static string UserId(string? id, string field = "userId")
    {
        if (id is null || !Limits.Id().IsMatch(id))
        {
            throw DomainException.Validation(field, "must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'");
        }

        return id;
    }

    public static string Title(string? title)
    {
        var trimmed = title?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw DomainException.Validation("title", "is required");
        }

        if (trimmed.Length > Limits.TitleMax)
        {
            throw DomainException.Validation("title", $"must be at most {Limits.TitleMax} characters");
        }

        return trimmed;
    }

    public static string Visibility(string? visibility) =>
        visibility is not null && Actors.Grains.Visibility.IsValid(visibility)
            ? visibility
            : throw DomainException.Validation("visibility", "must be 'private' or 'public'");

    public static string Role(string? role) =>
        role is not null && SessionRoles.IsValid(role)
            ? role
            : throw DomainException.Validation("role", "must be 'owner', 'member' or 'viewer'");

    /// <summary>An event type published by a client: the type pattern, and not one of the system events.</summary>
    public static string EventType(string? type)
    {
        var checkedType = SystemEventType(type);
        return ReservedTypes.Contains(checkedType)
            ? throw DomainException.Validation("type", $"'{checkedType}' is reserved for system events")
            : checkedType;
    }

    public static string SystemEventType(string? type) =>
        type is not null && Limits.TypeName().IsMatch(type)
            ? type
            : throw DomainException.Validation("type", "must be 1-64 characters of a-z, 0-9, '.', '_' or '-'");

    public static string? ClientMsgId(string? clientMsgId)
    {
        if (clientMsgId is null)
        {
            return null;
        }

        return clientMsgId.Length is 0 or > Limits.ClientMsgIdMax
            ? throw DomainException.Validation("clientMsgId", $"must be 1-{Limits.ClientMsgIdMax} characters")
            : clientMsgId;
    }

    public static string DisplayName(string? displayName)
    {
        var trimmed = displayName?.Trim();
        return string.IsNullOrEmpty(trimmed) || trimmed.Length > Limits.DisplayNameMax
            ? throw DomainException.Validation("displayName", $"must be 1-{Limits.DisplayNameMax} characters")
            : trimmed;
    }

    public static string ConnectionId(string? connectionId) =>
        string.IsNullOrEmpty(connectionId) || connectionId.Length > ConnectionIdMax
            ? throw DomainException.Validation("connectionId", $"must be 1-{ConnectionIdMax} characters")
            : connectionId;

    public static string NodeId(string? nodeId) =>
        string.IsNullOrEmpty(nodeId) || nodeId.Length > NodeIdMax
            ? throw DomainException.Validation("nodeId", $"must be 1-{NodeIdMax} characters")
            : nodeId;

    public static string ResourceId(string? resourceId) =>
        resourceId is not null && Limits.Id().IsMatch(resourceId)
            ? resourceId
            : throw DomainException.Validation("resourceId", "must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'");

    /// <summary>
    /// An event payload: any JSON value, at most <see cref="Limits.EventPayloadMaxBytes"/> bytes of
    /// compact UTF-8 JSON (payload_too_large beyond) and nesting depth ≤ <see cref="Limits.JsonMaxDepth"/>.
    /// Returns the compact JSON text that is stored.
    /// </summary>
    public static string Payload(JsonElement payload) =>
        CompactJson(payload, "payload", Limits.EventPayloadMaxBytes, ErrorCodes.PayloadTooLarge);

    /// <summary>Presence meta: at most <see cref="Limits.PresenceMetaMaxBytes"/> bytes (validation_failed beyond), depth ≤ 32.</summary>
    public static JsonElement? PresenceMeta(JsonElement meta)
    {
        if (meta.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        CompactJson(meta, "meta", Limits.PresenceMetaMaxBytes, ErrorCodes.ValidationFailed);
        return meta.Clone();
    }

    public static int Limit(int limit) => limit < 0
        ? throw DomainException.Validation("limit", "must not be negative")
        : limit == 0 || limit > Limits.EventsPageMax ? Limits.EventsPageMax : limit;

    public static long AfterSeq(long afterSeq) =>
        afterSeq < 0 ? throw DomainException.Validation("after", "must not be negative") : afterSeq;

    /// <summary>Nesting depth: 0 for a scalar, 1 for <c>{}</c> or <c>[]</c>, … Stops counting past <paramref name="max"/>.</summary>
    public static int Depth(JsonElement element, int max)
    {
        if (element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return 0;
        }

        if (max <= 0)
        {
            return 1;
        }

        var deepest = 0;
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                deepest = Math.Max(deepest, Depth(property.Value, max - 1));
                if (deepest >= max)
                {
                    break;
                }
            }
        }
        else
        {
            foreach (var item in element.EnumerateArray())
            {
                deepest = Math.Max(deepest, Depth(item, max - 1));
                if (deepest >= max)
                {
                    break;
                }
            }
        }

        return deepest + 1;
    }

    private static string CompactJson(JsonElement value, string field, int maxBytes, string tooLargeCode)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            throw DomainException.Validation(field, "is required");
        }

        if (Depth(value, Limits.JsonMaxDepth) > Limits.JsonMaxDepth)
        {
            throw DomainException.Validation(field, $"must be nested at most {Limits.JsonMaxDepth} levels deep");
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            value.WriteTo(writer);
        }

        if (buffer.WrittenCount > maxBytes)
        {
            var error = tooLargeCode == ErrorCodes.ValidationFailed
                ? DomainException.Validation(field, $"must be at most {maxBytes} bytes of UTF-8 JSON (got {buffer.WrittenCount})")
                : new DomainException(tooLargeCode, $"{field} must be at most {maxBytes} bytes of UTF-8 JSON (got {buffer.WrittenCount})");
            error.Data["field:" + field] = $"at most {maxBytes} bytes";
            throw error;
        }

        var text = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (text.Contains("\\u0000", StringComparison.Ordinal) && ContainsNul(value))
        {
            // PostgreSQL's jsonb cannot hold U+0000: refuse it here rather than fail the whole batch.
            throw DomainException.Validation(field, "must not contain the character U+0000");
        }

        return text;
    }

    private static bool ContainsNul(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!.Contains('\0', StringComparison.Ordinal),
        JsonValueKind.Object => element.EnumerateObject().Any(p => p.Name.Contains('\0', StringComparison.Ordinal) || ContainsNul(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Any(ContainsNul),
        _ => false,
    };
}
