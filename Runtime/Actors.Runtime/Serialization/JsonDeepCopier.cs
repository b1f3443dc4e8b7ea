using System.Text.Json;
using Actors.Invocation;

namespace Actors.Runtime.Serialization;

/// <summary>
/// The argument-isolation rule for local calls: values the code generator could not prove immutable
/// are copied through System.Text.Json, so a caller and a callee never share mutable objects.
/// </summary>
internal sealed class JsonDeepCopier : IDeepCopier
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        IncludeFields = true,
        PreferredObjectCreationHandling = System.Text.Json.Serialization.JsonObjectCreationHandling.Replace,
    };

    public T Copy<T>(T value)
    {
        if (value is null || value is IAddressable)
        {
            return value;
        }

        var type = value.GetType();
        try
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(value, type, Options);
            return (T)JsonSerializer.Deserialize(bytes, type, Options)!;
        }
        catch (Exception exception) when (exception is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new ArgumentException(
                $"A value of type {type.FullName} crosses a grain call but can neither be proven immutable nor copied ({exception.Message}). " +
                "Make it an immutable sealed record, mark it [Immutable], or make it JSON-serialisable.", exception);
        }
    }
}
