using System.Buffers;
using System.Numerics;
using Microsoft.Win32.SafeHandles;

namespace BuildMlops.HashData;

/// <summary>
/// BLAKE3 in hash mode with a 32-byte digest, for content-addressing data files. BLAKE3 hashes 1 KiB chunks
/// independently and joins them in a binary tree, so one thread hashes many chunks at once in SIMD lanes and
/// a large file is split between cores; SHA-256, a strict chain, can do neither. All members are thread-safe.
/// </summary>
public static class Blake3
{
    /// <summary>The digest length in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>Files up to this size are hashed on the calling thread: below it, starting workers costs more than it saves.</summary>
    internal const long ParallelThreshold = 4 << 20;

    /// <summary>
    /// The work item of <see cref="HashFile(SafeFileHandle)"/>: a power of two of chunks (1024, a whole
    /// subtree), small enough that a read of it stays in the core's cache while it is hashed and that the
    /// threads finish close together, large enough that claiming items costs nothing.
    /// </summary>
    internal const int UnitSize = 1 << 20;

    /// <summary>Hashes <paramref name="input"/> on the calling thread into <paramref name="output32"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="output32"/> is shorter than <see cref="HashSize"/>.</exception>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output32) => Hash(input, output32, Blake3Simd.BestLanes);

    /// <summary>Hashes <paramref name="input"/> on the calling thread.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> input)
    {
        var hash = new byte[HashSize];
        Hash(input, hash, Blake3Simd.BestLanes);
        return hash;
    }

    /// <summary>For tests: <paramref name="lanes"/> limits the SIMD width (1, 4, 8 or 16).</summary>
    internal static void Hash(ReadOnlySpan<byte> input, Span<byte> output32, int lanes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(output32.Length, HashSize, nameof(output32));
        var state = default(Blake3State);
        state.Reset(Blake3Core.HashModeKey(), 0, lanes);
        state.Append(input);
        state.Finish().RootHash(output32);
    }

    /// <summary>
    /// Hashes a file from offset 0 to the length it has when the call starts. Files above a few MiB are
    /// split across <see cref="Environment.ProcessorCount"/> threads, each reading 1 MiB subtrees with
    /// <see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/> into a pooled buffer; the subtrees'
    /// chaining values are then joined as the BLAKE3 tree prescribes, so the digest is the same as
    /// <see cref="Hash(ReadOnlySpan{byte})"/> of the contents. Smaller files take one pass on the calling thread.
    /// </summary>
    /// <exception cref="IOException">The file became shorter while it was read.</exception>
    public static byte[] HashFile(SafeFileHandle handle) => HashFile(handle, ParallelThreshold, UnitSize, Environment.ProcessorCount, Blake3Simd.BestLanes);

    /// <summary>For tests: a small threshold and unit exercise the split on small files, and any thread count on any machine.</summary>
    internal static byte[] HashFile(SafeFileHandle handle, long parallelThreshold, int unitSize, int threads, int lanes)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!BitOperations.IsPow2(unitSize) || unitSize < Blake3Core.ChunkLen)
        {
            throw new ArgumentOutOfRangeException(nameof(unitSize), unitSize, "A unit must be a power-of-two number of chunks.");
        }

        var length = RandomAccess.GetLength(handle);
        var hash = new byte[HashSize];
        if (length <= parallelThreshold || threads <= 1 || length <= unitSize)
        {
            HashSequentially(handle, lanes, hash);
        }
        else
        {
            HashInParallel(handle, length, unitSize, threads, lanes).RootHash(hash);
        }

        return hash;
    }

    private static void HashSequentially(SafeFileHandle handle, int lanes, Span<byte> output)
    {
        var state = default(Blake3State);
        state.Reset(Blake3Core.HashModeKey(), 0, lanes);
        var buffer = ArrayPool<byte>.Shared.Rent(UnitSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(handle, buffer, offset)) > 0)
            {
                state.Append(buffer.AsSpan(0, read));
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        state.Finish().RootHash(output);
    }

    /// <summary>
    /// Threads claim units in order from a shared counter rather than owning fixed halves of the file, so a
    /// core that is busy with something else only slows its own share. Every unit but the last is a whole
    /// subtree, reduced to its chaining value; the last may be partial and may hold the root, so it stays an
    /// uncompressed output until the others are joined above it.
    /// </summary>
    private static Blake3Output HashInParallel(SafeFileHandle handle, long length, int unitSize, int threads, int lanes)
    {
        var units = (length + unitSize - 1) / unitSize;
        var cvs = new Blake3Words8[units - 1];
        var last = default(Blake3Output);
        var chunksPerUnit = (ulong)(unitSize / Blake3Core.ChunkLen);
        long next = -1;

        void Work()
        {
            var buffer = ArrayPool<byte>.Shared.Rent(unitSize);
            try
            {
                var state = default(Blake3State);
                long unit;
                while ((unit = Interlocked.Increment(ref next)) < units)
                {
                    var offset = unit * unitSize;
                    var size = (int)Math.Min(unitSize, length - offset);
                    ReadExactly(handle, buffer.AsSpan(0, size), offset);
                    state.Reset(Blake3Core.HashModeKey(), 0, lanes, (ulong)unit * chunksPerUnit);
                    if (unit < units - 1)
                    {
                        state.Append(buffer.AsSpan(0, size), moreFollows: true);
                        cvs[unit] = state.SubtreeCv();
                    }
                    else
                    {
                        state.Append(buffer.AsSpan(0, size));
                        last = state.Finish();
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        var helpers = new Task[(int)Math.Min(threads, units) - 1];
        for (var i = 0; i < helpers.Length; i++)
        {
            helpers[i] = Task.Run(Work);
        }

        Work();
        foreach (var helper in helpers)
        {
            helper.GetAwaiter().GetResult();
        }

        var tree = default(Blake3State);
        tree.Reset(Blake3Core.HashModeKey(), 0, lanes);
        var level = BitOperations.Log2(chunksPerUnit);
        foreach (var cv in cvs)
        {
            tree.PushSubtree(cv, level);
            tree.SkipChunks(chunksPerUnit);
        }

        return tree.FoldStack(last);
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
            {
                throw new IOException("The file became shorter while it was hashed.");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }
}
