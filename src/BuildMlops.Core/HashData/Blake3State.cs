using System.Numerics;
using System.Runtime.CompilerServices;

namespace BuildMlops.HashData;

/// <summary>
/// A node whose compression is still to be done: the last node of a stream is either hashed as the root or,
/// when more of the tree turns up (another thread's range), turned into a chaining value.
/// </summary>
internal struct Blake3Output
{
    public Blake3Words8 InputCv;
    public Blake3Words16 Block;
    public ulong Counter;
    public uint BlockLen;
    public uint Flags;

    public readonly Blake3Words8 ChainingValue()
    {
        var cv = InputCv;
        Blake3Core.Compress(ref cv, Block, Counter, BlockLen, Flags);
        return cv;
    }

    /// <summary>The 32-byte digest; the root's counter is the output block index, 0, not the chunk index.</summary>
    public readonly void RootHash(Span<byte> output)
    {
        var cv = InputCv;
        Blake3Core.Compress(ref cv, Block, 0, BlockLen, Flags | Blake3Core.Root);
        Blake3Core.StoreCv(cv, output);
    }

    public static Blake3Output Parent(in Blake3Words8 left, in Blake3Words8 right, in Blake3Words8 key, uint flags)
    {
        var output = new Blake3Output { InputCv = key, BlockLen = Blake3Core.BlockLen, Flags = flags | Blake3Core.Parent };
        for (var i = 0; i < 8; i++)
        {
            output.Block[i] = left[i];
            output.Block[i + 8] = right[i];
        }

        return output;
    }
}

/// <summary>Chaining values waiting for their right sibling: one per set bit of the chunk count, at most 54 for 2^64 bytes.</summary>
[InlineArray(54)]
internal struct Blake3CvStack
{
    private Blake3Words8 _element;
}

[InlineArray(Blake3Core.BlockLen)]
internal struct Blake3BlockBuffer
{
    private byte _element;
}

/// <summary>
/// The incremental BLAKE3 tree: the chunk being filled, and a stack of finished subtrees. Whole
/// power-of-two subtrees that the input covers go through <see cref="Blake3Simd.HashMany"/> many chunks at
/// once and their parents many at once too; only partial chunks are hashed a block at a time.
/// It is a struct so a one-shot hash lives on the stack; it is about 2 KiB.
/// </summary>
internal struct Blake3State
{
    /// <summary>The largest subtree hashed in one go: 256 chunks, whose 8 KiB of chaining values fit on the stack.</summary>
    private const int MaxSubtreeChunks = 256;

    private Blake3Words8 _key;
    private uint _flags;
    private int _lanes;

    private Blake3Words8 _chunkCv;
    private Blake3BlockBuffer _buffer;
    private int _bufferLen;
    private int _blocksCompressed;
    private ulong _chunkCounter;

    private Blake3CvStack _stack;
    private int _stackLen;

    /// <summary>Starts a tree whose first chunk has index <paramref name="chunkCounter"/> (non-zero for a later thread's range).</summary>
    public void Reset(in Blake3Words8 key, uint flags, int lanes, ulong chunkCounter = 0)
    {
        _key = key;
        _flags = flags;
        _lanes = lanes;
        _chunkCounter = chunkCounter;
        _stackLen = 0;
        ResetChunk();
    }

    private void ResetChunk()
    {
        _chunkCv = _key;
        _bufferLen = 0;
        _blocksCompressed = 0;
    }

    private readonly int ChunkLength => (_blocksCompressed * Blake3Core.BlockLen) + _bufferLen;

    private readonly uint StartFlag => _blocksCompressed == 0 ? Blake3Core.ChunkStart : 0;

    public void Append(ReadOnlySpan<byte> input) => Append(input, moreFollows: false);

    /// <param name="moreFollows">
    /// The caller knows that more input follows (a 1 MiB unit of a larger file), so even the input's last
    /// chunk can go through the SIMD subtree path instead of waiting in the chunk state.
    /// </param>
    public void Append(ReadOnlySpan<byte> input, bool moreFollows)
    {
        if (ChunkLength > 0)
        {
            var take = Math.Min(Blake3Core.ChunkLen - ChunkLength, input.Length);
            UpdateChunk(input[..take]);
            input = input[take..];
            if (input.IsEmpty)
            {
                // The chunk may be the last one, and then it is the root or feeds the root: keep it open.
                return;
            }

            PushSubtree(ChunkOutput().ChainingValue(), 0);
            _chunkCounter++;
            ResetChunk();
        }

        // Unless more input is known to follow, the input's last chunk stays in the chunk state: only the end
        // of the whole input decides whether it is the root.
        var keep = moreFollows ? 0 : 1;
        while (input.Length - keep >= Blake3Core.ChunkLen)
        {
            var available = (input.Length - keep) / Blake3Core.ChunkLen;
            var chunks = 1 << BitOperations.Log2((uint)Math.Min(available, MaxSubtreeChunks));

            // A subtree must start at a multiple of its size to be a subtree of the BLAKE3 tree.
            while ((_chunkCounter & (ulong)(chunks - 1)) != 0)
            {
                chunks >>= 1;
            }

            var bytes = chunks * Blake3Core.ChunkLen;
            PushSubtree(HashSubtree(input[..bytes], chunks), BitOperations.Log2((uint)chunks));
            _chunkCounter += (ulong)chunks;
            input = input[bytes..];
        }

        UpdateChunk(input);
    }

    /// <summary>The chaining value of <paramref name="chunks"/> (a power of two) whole chunks: chunks, then each level of parents, SIMD-wide.</summary>
    private readonly unsafe Blake3Words8 HashSubtree(ReadOnlySpan<byte> input, int chunks)
    {
        Span<byte> cvs = stackalloc byte[MaxSubtreeChunks * Blake3Core.CvLen];
        fixed (byte* source = input, destination = cvs)
        {
            Blake3Simd.HashMany(source, chunks, Blake3Core.ChunkLen, Blake3Core.ChunkLen / Blake3Core.BlockLen, _key, _chunkCounter,
                incrementCounter: true, _flags, Blake3Core.ChunkStart, Blake3Core.ChunkEnd, destination, _lanes);

            // Two adjacent chaining values are one parent's block, so a level of parents is hash-many over the
            // previous level's output with a 64-byte stride, written in place.
            for (var nodes = chunks; nodes > 1; nodes /= 2)
            {
                Blake3Simd.HashMany(destination, nodes / 2, Blake3Core.BlockLen, 1, _key, 0,
                    incrementCounter: false, _flags | Blake3Core.Parent, 0, 0, destination, _lanes);
            }
        }

        return Blake3Core.LoadCv(cvs);
    }

    /// <summary>
    /// Adds a finished subtree of 2^level chunks that is known not to end the input. Merging follows the chunk
    /// count: as long as the count in units of this subtree is even, the subtree is a right child. Merging
    /// eagerly is safe because a subtree known not to end the input is never part of the root node.
    /// </summary>
    internal void PushSubtree(Blake3Words8 cv, int level)
    {
        // A state started inside the tree (a later unit of a file) has no left siblings of its own first
        // subtrees on the stack: those are other threads' work, merged when the units are joined.
        var total = (_chunkCounter >> level) + 1;
        while ((total & 1) == 0 && _stackLen > 0)
        {
            cv = Blake3Output.Parent(_stack[--_stackLen], cv, _key, _flags).ChainingValue();
            total >>= 1;
        }

        _stack[_stackLen++] = cv;
    }

    /// <summary>The chaining value of a whole subtree appended with more to follow: it is then the only entry of the stack.</summary>
    internal readonly Blake3Words8 SubtreeCv()
    {
        if (_stackLen != 1 || ChunkLength != 0)
        {
            throw new InvalidOperationException("The input appended is not one whole subtree.");
        }

        return _stack[0];
    }

    /// <summary>Moves the tree past <paramref name="chunks"/> chunks that another thread hashed and pushed here with <see cref="PushSubtree"/>.</summary>
    internal void SkipChunks(ulong chunks) => _chunkCounter += chunks;

    private void UpdateChunk(ReadOnlySpan<byte> data)
    {
        var words = default(Blake3Words16);
        while (!data.IsEmpty)
        {
            if (_bufferLen == Blake3Core.BlockLen)
            {
                // More input follows, so the buffered block is not the chunk's last.
                Blake3Core.LoadBlock(_buffer, ref words);
                Blake3Core.Compress(ref _chunkCv, words, _chunkCounter, Blake3Core.BlockLen, _flags | StartFlag);
                _blocksCompressed++;
                _bufferLen = 0;
            }

            while (_bufferLen == 0 && data.Length > Blake3Core.BlockLen)
            {
                Blake3Core.LoadBlock(data, ref words);
                Blake3Core.Compress(ref _chunkCv, words, _chunkCounter, Blake3Core.BlockLen, _flags | StartFlag);
                _blocksCompressed++;
                data = data[Blake3Core.BlockLen..];
            }

            var take = Math.Min(Blake3Core.BlockLen - _bufferLen, data.Length);
            data[..take].CopyTo(((Span<byte>)_buffer)[_bufferLen..]);
            _bufferLen += take;
            data = data[take..];
        }
    }

    private readonly Blake3Output ChunkOutput()
    {
        Span<byte> block = stackalloc byte[Blake3Core.BlockLen];
        block.Clear();
        ((ReadOnlySpan<byte>)_buffer)[.._bufferLen].CopyTo(block);
        var output = new Blake3Output
        {
            InputCv = _chunkCv,
            Counter = _chunkCounter,
            BlockLen = (uint)_bufferLen,
            Flags = _flags | StartFlag | Blake3Core.ChunkEnd,
        };
        Blake3Core.LoadBlock(block, ref output.Block);
        return output;
    }

    /// <summary>The top node of everything appended since <see cref="Reset"/>, not yet compressed.</summary>
    public readonly Blake3Output Finish() => FoldStack(ChunkOutput());

    /// <summary>Puts <paramref name="output"/>, the node that ends the input, under the pending subtrees, from the nearest up.</summary>
    public readonly Blake3Output FoldStack(Blake3Output output)
    {
        for (var i = _stackLen - 1; i >= 0; i--)
        {
            output = Blake3Output.Parent(_stack[i], output.ChainingValue(), _key, _flags);
        }

        return output;
    }
}
