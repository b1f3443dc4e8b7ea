using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Actors.Runtime.Messaging.Wire;

/// <summary>
/// Binary layout of an envelope: a fixed header, optional sections announced by flag bits, then the
/// JSON body. Strings are length-prefixed UTF-8 (7-bit varint lengths).
/// </summary>
internal static class EnvelopeCodec
{
    [Flags]
    private enum Sections : byte
    {
        None = 0,
        Sender = 1,
        Chain = 2,
        Context = 4,
        OneWay = 8,
        Trace = 16,
        Interface = 32,
    }

    public static void Write(IBufferWriter<byte> output, Envelope envelope)
    {
        var sections = Sections.None;
        if (envelope.Sender is not null) sections |= Sections.Sender;
        if (envelope.Chain is not null) sections |= Sections.Chain;
        if (envelope.RequestContext is { Count: > 0 }) sections |= Sections.Context;
        if (envelope.OneWay) sections |= Sections.OneWay;
        if (envelope.TraceParent is not null) sections |= Sections.Trace;
        if (envelope.InterfaceName is not null) sections |= Sections.Interface;

        var header = output.GetSpan(24);
        header[0] = (byte)envelope.Kind;
        header[1] = (byte)sections;
        header[2] = envelope.Hops;
        BinaryPrimitives.WriteInt64LittleEndian(header[3..], envelope.CorrelationId);
        BinaryPrimitives.WriteInt32LittleEndian(header[11..], envelope.MethodId);
        BinaryPrimitives.WriteInt32LittleEndian(header[15..], envelope.RemainingMs);
        output.Advance(19);

        WriteString(output, envelope.Target.Type ?? "");
        WriteString(output, envelope.Target.Key ?? "");
        if (envelope.Sender is { } sender)
        {
            WriteString(output, sender.Type);
            WriteString(output, sender.Key);
        }

        if (envelope.InterfaceName is not null)
        {
            WriteString(output, envelope.InterfaceName);
        }

        if (envelope.Chain is not null)
        {
            var nodes = new List<CallChain>();
            for (var node = envelope.Chain; node is not null; node = node.Parent)
            {
                nodes.Add(node);
            }

            WriteVarint(output, (uint)nodes.Count);
            for (var i = nodes.Count - 1; i >= 0; i--)
            {
                WriteString(output, nodes[i].GrainId.Type);
                WriteString(output, nodes[i].GrainId.Key);
                WriteString(output, nodes[i].Method);
            }
        }

        if (envelope.RequestContext is { Count: > 0 } context)
        {
            WriteVarint(output, (uint)context.Count);
            foreach (var (key, value) in context)
            {
                WriteString(output, key);
                WriteBytes(output, JsonSerializer.SerializeToUtf8Bytes(value, value.GetType()));
            }
        }

        if (envelope.TraceParent is not null)
        {
            WriteString(output, envelope.TraceParent);
        }

        WriteBytes(output, envelope.Body.Span);
    }

    public static Envelope Read(ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryRead(out var kind) || !reader.TryRead(out var flags) || !reader.TryRead(out var hops)
            || !reader.TryReadLittleEndian(out long correlation) || !reader.TryReadLittleEndian(out int methodId)
            || !reader.TryReadLittleEndian(out int remaining))
        {
            throw new InvalidDataException("Truncated envelope header.");
        }

        var sections = (Sections)flags;
        var envelope = new Envelope
        {
            Kind = (WireKind)kind,
            Hops = hops,
            CorrelationId = correlation,
            MethodId = methodId,
            RemainingMs = remaining,
            OneWay = (sections & Sections.OneWay) != 0,
            Target = new GrainId(ReadString(ref reader), ReadString(ref reader)),
        };

        if ((sections & Sections.Sender) != 0)
        {
            envelope.Sender = new GrainId(ReadString(ref reader), ReadString(ref reader));
        }

        if ((sections & Sections.Interface) != 0)
        {
            envelope.InterfaceName = ReadString(ref reader);
        }

        if ((sections & Sections.Chain) != 0)
        {
            var count = ReadVarint(ref reader);
            CallChain? chain = null;
            for (var i = 0; i < count; i++)
            {
                var id = new GrainId(ReadString(ref reader), ReadString(ref reader));
                chain = new CallChain(id, ReadString(ref reader), chain);
            }

            envelope.Chain = chain;
        }

        if ((sections & Sections.Context) != 0)
        {
            var count = ReadVarint(ref reader);
            var builder = ImmutableDictionary.CreateBuilder<string, object>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var key = ReadString(ref reader);
                builder[key] = ContextValue(ReadBytes(ref reader));
            }

            envelope.RequestContext = builder.ToImmutable();
        }

        if ((sections & Sections.Trace) != 0)
        {
            envelope.TraceParent = ReadString(ref reader);
        }

        envelope.Body = ReadBytes(ref reader);
        return envelope;
    }

    /// <summary>RequestContext values cross processes as JSON; primitives come back as themselves.</summary>
    private static object ContextValue(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var element = document.RootElement;
        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when element.TryGetInt64(out var l) => l,
            JsonValueKind.Number => element.GetDouble(),
            _ => element.Clone(),
        };
    }

    private static void WriteString(IBufferWriter<byte> output, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteVarint(output, (uint)length);
        var span = output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(length);
    }

    private static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        WriteVarint(output, (uint)bytes.Length);
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static void WriteVarint(IBufferWriter<byte> output, uint value)
    {
        var span = output.GetSpan(5);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
    }

    private static int ReadVarint(ref SequenceReader<byte> reader)
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                throw new InvalidDataException("Truncated varint.");
            }

            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result > int.MaxValue ? throw new InvalidDataException("Length out of range.") : (int)result;
            }
        }

        throw new InvalidDataException("Malformed varint.");
    }

    private static string ReadString(ref SequenceReader<byte> reader)
    {
        var length = ReadVarint(ref reader);
        if (reader.Remaining < length)
        {
            throw new InvalidDataException("Truncated string.");
        }

        var value = reader.UnreadSpan.Length >= length
            ? Encoding.UTF8.GetString(reader.UnreadSpan[..length])
            : Encoding.UTF8.GetString(reader.Sequence.Slice(reader.Position, length));
        reader.Advance(length);
        return value;
    }

    private static byte[] ReadBytes(ref SequenceReader<byte> reader)
    {
        var length = ReadVarint(ref reader);
        if (reader.Remaining < length)
        {
            throw new InvalidDataException("Truncated body.");
        }

        var bytes = new byte[length];
        reader.Sequence.Slice(reader.Position, length).CopyTo(bytes);
        reader.Advance(length);
        return bytes;
    }
}
