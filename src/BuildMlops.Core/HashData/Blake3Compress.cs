using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BuildMlops.HashData;

/// <summary>Eight 32-bit words: a chaining value or key, kept inline so hashing allocates nothing.</summary>
[InlineArray(8)]
internal struct Blake3Words8
{
    private uint _element;
}

/// <summary>The sixteen message words of one 64-byte block.</summary>
[InlineArray(16)]
internal struct Blake3Words16
{
    private uint _element;
}

/// <summary>
/// The BLAKE3 constants and the single-block compression function. The compression here is scalar: it
/// serves the block-at-a-time work (a partial chunk, the top of the tree, the root) and every CPU without
/// SIMD; bulk chunks and parents go through <see cref="Blake3Simd"/> many at a time.
/// </summary>
internal static class Blake3Core
{
    public const int ChunkLen = 1024;
    public const int BlockLen = 64;
    public const int CvLen = 32;

    // Domain flags. Keyed hashing and key derivation would add KEYED_HASH = 16, DERIVE_KEY_CONTEXT = 32
    // and DERIVE_KEY_MATERIAL = 64 through the same "base flags" every compression takes.
    public const uint ChunkStart = 1;
    public const uint ChunkEnd = 2;
    public const uint Parent = 4;
    public const uint Root = 8;

    public const int Rounds = 7;

    /// <summary>The message word order of each of the seven rounds: the identity, then the spec's permutation applied once more per round.</summary>
    public static ReadOnlySpan<byte> Schedule =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8,
        3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1,
        10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6,
        12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4,
        9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7,
        11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13,
    ];

    public const uint IV0 = 0x6A09E667, IV1 = 0xBB67AE85, IV2 = 0x3C6EF372, IV3 = 0xA54FF53A;
    public const uint IV4 = 0x510E527F, IV5 = 0x9B05688C, IV6 = 0x1F83D9AB, IV7 = 0x5BE0CD19;

    /// <summary>The key of plain hash mode is the IV.</summary>
    public static Blake3Words8 HashModeKey()
    {
        var key = default(Blake3Words8);
        key[0] = IV0; key[1] = IV1; key[2] = IV2; key[3] = IV3;
        key[4] = IV4; key[5] = IV5; key[6] = IV6; key[7] = IV7;
        return key;
    }

    /// <summary>Reads a 64-byte block as little-endian words (the spec's byte order on any CPU).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadBlock(ReadOnlySpan<byte> block, ref Blake3Words16 words)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, uint>(block[..BlockLen]).CopyTo(words);
        }
        else
        {
            for (var i = 0; i < 16; i++)
            {
                words[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(4 * i)..]);
            }
        }
    }

    /// <summary>Writes a chaining value as the 32 little-endian bytes that parents and the digest use.</summary>
    public static void StoreCv(in Blake3Words8 cv, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            ((ReadOnlySpan<uint>)cv).CopyTo(MemoryMarshal.Cast<byte, uint>(destination[..CvLen]));
        }
        else
        {
            for (var i = 0; i < 8; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination[(4 * i)..], cv[i]);
            }
        }
    }

    public static Blake3Words8 LoadCv(ReadOnlySpan<byte> source)
    {
        var cv = default(Blake3Words8);
        for (var i = 0; i < 8; i++)
        {
            cv[i] = BinaryPrimitives.ReadUInt32LittleEndian(source[(4 * i)..]);
        }

        return cv;
    }

    /// <summary>
    /// One compression, keeping only the first eight output words: BLAKE3 in hash mode never needs the
    /// extended output, so the feed-forward of the upper half is skipped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compress(ref Blake3Words8 cv, in Blake3Words16 block, ulong counter, uint blockLen, uint flags)
    {
        // Locals, not an inline array: the JIT keeps the sixteen state words in registers only as plain locals.
        uint v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3], v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7];
        uint v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
        uint v12 = (uint)counter, v13 = (uint)(counter >> 32), v14 = blockLen, v15 = flags;

        // One round's code, run seven times with the message words in each round's order: written out
        // seven times it is no faster and takes the JIT many times longer, which a short process pays for.
        for (var r = 0; r < Blake3Core.Rounds * 16; r += 16)
        {
            G(ref v0, ref v4, ref v8, ref v12, block[Schedule[r]], block[Schedule[r + 1]]);
            G(ref v1, ref v5, ref v9, ref v13, block[Schedule[r + 2]], block[Schedule[r + 3]]);
            G(ref v2, ref v6, ref v10, ref v14, block[Schedule[r + 4]], block[Schedule[r + 5]]);
            G(ref v3, ref v7, ref v11, ref v15, block[Schedule[r + 6]], block[Schedule[r + 7]]);
            G(ref v0, ref v5, ref v10, ref v15, block[Schedule[r + 8]], block[Schedule[r + 9]]);
            G(ref v1, ref v6, ref v11, ref v12, block[Schedule[r + 10]], block[Schedule[r + 11]]);
            G(ref v2, ref v7, ref v8, ref v13, block[Schedule[r + 12]], block[Schedule[r + 13]]);
            G(ref v3, ref v4, ref v9, ref v14, block[Schedule[r + 14]], block[Schedule[r + 15]]);
        }

        cv[0] = v0 ^ v8; cv[1] = v1 ^ v9; cv[2] = v2 ^ v10; cv[3] = v3 ^ v11;
        cv[4] = v4 ^ v12; cv[5] = v5 ^ v13; cv[6] = v6 ^ v14; cv[7] = v7 ^ v15;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref uint a, ref uint b, ref uint c, ref uint d, uint x, uint y)
    {
        a += b + x;
        d = BitOperations.RotateRight(d ^ a, 16);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 12);
        a += b + y;
        d = BitOperations.RotateRight(d ^ a, 8);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 7);
    }
}
