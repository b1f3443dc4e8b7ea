using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Actors.Runtime.Networking;

/// <summary>
/// The unsent output of one connection: a queue of pooled chunks that frames are written into and the send loop
/// drains with gather sends. A frame is written in place — a 4-byte length slot, then the payload straight into the
/// chunks, then the length — and can be rolled back if the writer fails, because nothing of it is handed to the
/// socket before <see cref="EndFrame"/>. Not thread-safe: <see cref="Connection"/> uses it under its lock, and the
/// bytes a snapshot hands to the socket are never touched by writers (they only append after them).
/// </summary>
internal sealed class SendBuffer : IBufferWriter<byte>
{
    /// <summary>Size of a pooled chunk; a payload bigger than this spans several chunks.</summary>
    internal const int ChunkSize = 64 * 1024;

    private const int PrefixLength = 4;

    private readonly List<Chunk> _chunks = [];
    private int _headOffset; // bytes of _chunks[0] already sent
    private long _length;    // committed bytes not yet sent

    // The frame being written (between BeginFrame and EndFrame/AbortFrame).
    private bool _inFrame;
    private int _markCount;
    private int _markTailEnd;
    private long _markLength;
    private int _prefixChunk;
    private int _prefixOffset;
    private long _payloadStart;
    private long _maxPayload;

    /// <summary>Bytes written and not yet sent (including a frame being written).</summary>
    public long Length => _length;

    /// <summary>Starts a frame: reserves its length slot. <paramref name="sizeHint"/> keeps small frames contiguous.</summary>
    public void BeginFrame(int sizeHint, int maxPayload)
    {
        if (_inFrame)
        {
            throw new InvalidOperationException("Send cannot be called from inside a Send callback on the same connection.");
        }

        _markCount = _chunks.Count;
        _markTailEnd = _chunks.Count == 0 ? 0 : _chunks[^1].End;
        _markLength = _length;

        var hint = PrefixLength + Math.Clamp(sizeHint, 0, ChunkSize - PrefixLength);
        EnsureTail(hint);
        _prefixChunk = _chunks.Count - 1;
        _prefixOffset = _chunks[^1].End;
        Commit(PrefixLength);

        _payloadStart = _length;
        _maxPayload = maxPayload;
        _inFrame = true;
    }

    /// <summary>Finishes the frame: writes its length into the reserved slot and returns the payload length.</summary>
    public int EndFrame()
    {
        Debug.Assert(_inFrame);
        _inFrame = false;
        var payloadLength = checked((int)(_length - _payloadStart));
        BinaryPrimitives.WriteInt32LittleEndian(_chunks[_prefixChunk].Array.AsSpan(_prefixOffset, PrefixLength), payloadLength);
        return payloadLength;
    }

    /// <summary>Forgets the frame being written, as if <see cref="BeginFrame"/> had not been called.</summary>
    public void AbortFrame()
    {
        Debug.Assert(_inFrame);
        _inFrame = false;
        for (var i = _chunks.Count - 1; i >= _markCount; i--)
        {
            ArrayPool<byte>.Shared.Return(_chunks[i].Array);
            _chunks.RemoveAt(i);
        }

        if (_markCount > 0)
        {
            CollectionsMarshal.AsSpan(_chunks)[_markCount - 1].End = _markTailEnd;
        }

        _length = _markLength;
    }

    /// <summary>Copies a payload into the frame being written, across chunks if needed.</summary>
    public void Write(ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            var target = GetSpan(Math.Min(source.Length, ChunkSize));
            var count = Math.Min(target.Length, source.Length);
            source[..count].CopyTo(target);
            Advance(count);
            source = source[count..];
        }
    }

    public void Advance(int count)
    {
        ThrowIfNotInFrame();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ref var tail = ref CollectionsMarshal.AsSpan(_chunks)[^1];
        if (count > tail.Array.Length - tail.End)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Cannot advance past the end of the buffer returned by GetSpan/GetMemory.");
        }

        if (_length - _payloadStart + count > _maxPayload)
        {
            throw new InvalidOperationException(
                $"The payload is larger than the maximum frame size of {_maxPayload} bytes; the frame was not sent.");
        }

        Commit(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        ThrowIfNotInFrame();
        EnsureTail(Math.Max(sizeHint, 1));
        var tail = _chunks[^1];
        return tail.Array.AsMemory(tail.End);
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    /// <summary>
    /// Lists the unsent bytes (at most <paramref name="maxSegments"/> chunks) into <paramref name="segments"/> for a
    /// gather send. Only completed frames are listed: call between frames. Returns the byte count.
    /// </summary>
    public int Snapshot(List<ArraySegment<byte>> segments, int maxSegments)
    {
        Debug.Assert(!_inFrame);
        var total = 0;
        for (var i = 0; i < _chunks.Count && segments.Count < maxSegments; i++)
        {
            var chunk = _chunks[i];
            var start = i == 0 ? _headOffset : 0;
            if (chunk.End > start)
            {
                segments.Add(new ArraySegment<byte>(chunk.Array, start, chunk.End - start));
                total += chunk.End - start;
            }
        }

        return total;
    }

    /// <summary>Drops <paramref name="count"/> sent bytes from the front, returning emptied chunks to the pool.</summary>
    public void Consume(int count)
    {
        Debug.Assert(!_inFrame);
        Debug.Assert(count <= _length);
        _length -= count;
        while (_chunks.Count > 0)
        {
            ref var head = ref CollectionsMarshal.AsSpan(_chunks)[0];
            var available = head.End - _headOffset;
            if (count < available)
            {
                _headOffset += count;
                return;
            }

            count -= available;
            if (_chunks.Count > 1)
            {
                ArrayPool<byte>.Shared.Return(head.Array);
                _chunks.RemoveAt(0);
            }
            else
            {
                // Keep the last chunk for the next frames.
                head.End = 0;
            }

            _headOffset = 0;
            if (count == 0 && (_chunks.Count == 1 || _chunks[0].End > 0))
            {
                return;
            }
        }
    }

    /// <summary>Returns every chunk to the pool; the buffer is empty afterwards.</summary>
    public void Release()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk.Array);
        }

        _chunks.Clear();
        _headOffset = 0;
        _length = 0;
        _inFrame = false;
    }

    private void EnsureTail(int size)
    {
        if (_chunks.Count > 0)
        {
            var tail = _chunks[^1];
            if (tail.Array.Length - tail.End >= size)
            {
                return;
            }
        }

        _chunks.Add(new Chunk(ArrayPool<byte>.Shared.Rent(Math.Max(size, ChunkSize))));
    }

    private void Commit(int count)
    {
        CollectionsMarshal.AsSpan(_chunks)[^1].End += count;
        _length += count;
    }

    private void ThrowIfNotInFrame()
    {
        if (!_inFrame)
        {
            throw new InvalidOperationException("The connection's buffer writer can only be used inside the Send callback.");
        }
    }

    private struct Chunk(byte[] array)
    {
        public readonly byte[] Array = array;
        public int End;
    }
}
