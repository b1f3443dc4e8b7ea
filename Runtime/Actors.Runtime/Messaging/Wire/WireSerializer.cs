using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Actors.Invocation;

namespace Actors.Runtime.Messaging.Wire;

/// <summary>
/// JSON bodies of remote calls: a request's argument fields, a result of the method's result type,
/// or an error. Grain and observer references travel as ids and come back bound to this node's
/// runtime.
/// </summary>
internal sealed class WireSerializer
{
    private readonly ConcurrentDictionary<(string Interface, int MethodId), Type> requestTypes = new();

    public WireSerializer(IGrainReferenceRuntime runtime)
    {
        Options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            IncludeFields = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { OnlyArguments } },
        };
        Options.Converters.Add(new GrainReferenceConverterFactory(runtime));
    }

    public JsonSerializerOptions Options { get; }

    public byte[] SerializeArguments(GrainRequest request) =>
        JsonSerializer.SerializeToUtf8Bytes(request, request.GetType(), Options);

    /// <summary>Rebuilds a request from its interface, method id and argument JSON.</summary>
    public GrainRequest DeserializeRequest(string interfaceName, int methodId, ReadOnlyMemory<byte> body)
    {
        var type = requestTypes.GetOrAdd((interfaceName, methodId), static key =>
            GrainTypeRegistry.TryGetInterface(key.Interface, out var descriptor)
                ? descriptor.CreateRequest(key.MethodId).GetType()
                : throw new GrainRoutingException($"This node does not know grain interface {key.Interface}."));
        return (GrainRequest)JsonSerializer.Deserialize(body.Span, type, Options)!;
    }

    public byte[] SerializeResult(GrainRequest request) =>
        request.ResultType == typeof(VoidResult) ? [] : JsonSerializer.SerializeToUtf8Bytes(request.Result, request.ResultType, Options);

    public void DeserializeResult(GrainRequest request, ReadOnlyMemory<byte> body)
    {
        if (request.ResultType != typeof(VoidResult))
        {
            request.Result = JsonSerializer.Deserialize(body.Span, request.ResultType, Options);
        }
    }

    public static byte[] SerializeError(Exception exception) =>
        JsonSerializer.SerializeToUtf8Bytes(new WireError(
            exception.GetType().FullName ?? exception.GetType().Name,
            exception.GetType().Assembly.GetName().Name ?? "",
            exception.Message,
            exception.StackTrace,
            (exception as InconsistentStateException)?.StoredEtag,
            (exception as InconsistentStateException)?.CurrentEtag,
            DataOf(exception)));

    /// <summary>String-keyed primitive entries of Exception.Data (error details such as a current version).</summary>
    private static Dictionary<string, string>? DataOf(Exception exception)
    {
        Dictionary<string, string>? data = null;
        foreach (System.Collections.DictionaryEntry entry in exception.Data)
        {
            if (entry.Key is string key && key != "RemoteStackTrace" && entry.Value is string or bool or int or long or double or decimal or Guid)
            {
                (data ??= [])[key] = Convert.ToString(entry.Value, System.Globalization.CultureInfo.InvariantCulture)!;
            }
        }

        return data;
    }

    /// <summary>Recreates the remote exception's type when this node knows it, else a <see cref="RemoteGrainException"/>.</summary>
    public static Exception DeserializeError(ReadOnlyMemory<byte> body)
    {
        var error = JsonSerializer.Deserialize<WireError>(body.Span) ?? new WireError("System.Exception", "", "Unknown remote error.", null, null, null, null);
        Exception? exception = null;
        try
        {
            var type = Type.GetType($"{error.Type}, {error.Assembly}", throwOnError: false);
            if (type == typeof(InconsistentStateException))
            {
                exception = new InconsistentStateException(error.Message, error.StoredEtag, error.CurrentEtag);
            }
            else if (type is not null && typeof(Exception).IsAssignableFrom(type) && type.GetConstructor([typeof(string)]) is { } ctor)
            {
                exception = (Exception)ctor.Invoke([error.Message]);
            }
        }
        catch (Exception creationFailure) when (creationFailure is TargetInvocationException or MemberAccessException or ArgumentException)
        {
            exception = null;
        }

        exception ??= new RemoteGrainException(error.Type, error.Message);
        if (error.StackTrace is not null)
        {
            exception.Data["RemoteStackTrace"] = error.StackTrace;
        }

        foreach (var (key, value) in error.Data ?? [])
        {
            exception.Data[key] = value;
        }

        return exception;
    }

    private static void OnlyArguments(JsonTypeInfo typeInfo)
    {
        if (!typeof(GrainRequest).IsAssignableFrom(typeInfo.Type) || typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        for (var i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            var property = typeInfo.Properties[i];
            if (property.AttributeProvider is not FieldInfo field || !field.Name.StartsWith("arg", StringComparison.Ordinal)
                || field.FieldType == typeof(CancellationToken))
            {
                typeInfo.Properties.RemoveAt(i);
            }
        }
    }

    private sealed record WireError(string Type, string Assembly, string Message, string? StackTrace, string? StoredEtag, string? CurrentEtag, Dictionary<string, string>? Data);

    private sealed class GrainReferenceConverterFactory(IGrainReferenceRuntime runtime) : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeof(IAddressable).IsAssignableFrom(typeToConvert);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(GrainReferenceConverter<>).MakeGenericType(typeToConvert), runtime)!;
    }

    private sealed class GrainReferenceConverter<T>(IGrainReferenceRuntime runtime) : JsonConverter<T>
        where T : class, IAddressable
    {
        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            string? itf = null, type = null, key = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "i": itf = reader.GetString(); break;
                    case "t": type = reader.GetString(); break;
                    case "k": key = reader.GetString(); break;
                    default: reader.Skip(); break;
                }
            }

            if (itf is null || type is null || key is null || !GrainTypeRegistry.TryGetInterface(itf, out var descriptor))
            {
                throw new JsonException($"Cannot rebuild a grain reference to {itf ?? "?"} on this node.");
            }

            return (T)(object)descriptor.CreateReference(runtime, new GrainId(type, key));
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            if (value is not GrainReference reference)
            {
                throw new JsonException($"Only grain or observer references can be sent; got a {value.GetType().FullName}. Wrap local observers with CreateObjectReference.");
            }

            writer.WriteStartObject();
            writer.WriteString("i", reference.Interface.Name);
            writer.WriteString("t", reference.GrainId.Type);
            writer.WriteString("k", reference.GrainId.Key);
            writer.WriteEndObject();
        }
    }
}
