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
        // Locals, not the inline arrays: the JIT keeps all sixteen state words and the message in registers
        // only when they are plain locals.
        uint v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3], v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7];
        uint v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
        uint v12 = (uint)counter, v13 = (uint)(counter >> 32), v14 = blockLen, v15 = flags;
        uint m0 = block[0], m1 = block[1], m2 = block[2], m3 = block[3], m4 = block[4], m5 = block[5], m6 = block[6], m7 = block[7];
        uint m8 = block[8], m9 = block[9], m10 = block[10], m11 = block[11], m12 = block[12], m13 = block[13], m14 = block[14], m15 = block[15];

        G(ref v0, ref v4, ref v8, ref v12, m0, m1);
        G(ref v1, ref v5, ref v9, ref v13, m2, m3);
        G(ref v2, ref v6, ref v10, ref v14, m4, m5);
        G(ref v3, ref v7, ref v11, ref v15, m6, m7);
        G(ref v0, ref v5, ref v10, ref v15, m8, m9);
        G(ref v1, ref v6, ref v11, ref v12, m10, m11);
        G(ref v2, ref v7, ref v8, ref v13, m12, m13);
        G(ref v3, ref v4, ref v9, ref v14, m14, m15);
        G(ref v0, ref v4, ref v8, ref v12, m2, m6);
        G(ref v1, ref v5, ref v9, ref v13, m3, m10);
        G(ref v2, ref v6, ref v10, ref v14, m7, m0);
        G(ref v3, ref v7, ref v11, ref v15, m4, m13);
        G(ref v0, ref v5, ref v10, ref v15, m1, m11);
        G(ref v1, ref v6, ref v11, ref v12, m12, m5);
        G(ref v2, ref v7, ref v8, ref v13, m9, m14);
        G(ref v3, ref v4, ref v9, ref v14, m15, m8);
        G(ref v0, ref v4, ref v8, ref v12, m3, m4);
        G(ref v1, ref v5, ref v9, ref v13, m10, m12);
        G(ref v2, ref v6, ref v10, ref v14, m13, m2);
        G(ref v3, ref v7, ref v11, ref v15, m7, m14);
        G(ref v0, ref v5, ref v10, ref v15, m6, m5);
        G(ref v1, ref v6, ref v11, ref v12, m9, m0);
        G(ref v2, ref v7, ref v8, ref v13, m11, m15);
        G(ref v3, ref v4, ref v9, ref v14, m8, m1);
        G(ref v0, ref v4, ref v8, ref v12, m10, m7);
        G(ref v1, ref v5, ref v9, ref v13, m12, m9);
        G(ref v2, ref v6, ref v10, ref v14, m14, m3);
        G(ref v3, ref v7, ref v11, ref v15, m13, m15);
        G(ref v0, ref v5, ref v10, ref v15, m4, m0);
        G(ref v1, ref v6, ref v11, ref v12, m11, m2);
        G(ref v2, ref v7, ref v8, ref v13, m5, m8);
        G(ref v3, ref v4, ref v9, ref v14, m1, m6);
        G(ref v0, ref v4, ref v8, ref v12, m12, m13);
        G(ref v1, ref v5, ref v9, ref v13, m9, m11);
        G(ref v2, ref v6, ref v10, ref v14, m15, m10);
        G(ref v3, ref v7, ref v11, ref v15, m14, m8);
        G(ref v0, ref v5, ref v10, ref v15, m7, m2);
        G(ref v1, ref v6, ref v11, ref v12, m5, m3);
        G(ref v2, ref v7, ref v8, ref v13, m0, m1);
        G(ref v3, ref v4, ref v9, ref v14, m6, m4);
        G(ref v0, ref v4, ref v8, ref v12, m9, m14);
        G(ref v1, ref v5, ref v9, ref v13, m11, m5);
        G(ref v2, ref v6, ref v10, ref v14, m8, m12);
        G(ref v3, ref v7, ref v11, ref v15, m15, m1);
        G(ref v0, ref v5, ref v10, ref v15, m13, m3);
        G(ref v1, ref v6, ref v11, ref v12, m0, m10);
        G(ref v2, ref v7, ref v8, ref v13, m2, m6);
        G(ref v3, ref v4, ref v9, ref v14, m4, m7);
        G(ref v0, ref v4, ref v8, ref v12, m11, m15);
        G(ref v1, ref v5, ref v9, ref v13, m5, m0);
        G(ref v2, ref v6, ref v10, ref v14, m1, m9);
        G(ref v3, ref v7, ref v11, ref v15, m8, m6);
        G(ref v0, ref v5, ref v10, ref v15, m14, m10);
        G(ref v1, ref v6, ref v11, ref v12, m2, m12);
        G(ref v2, ref v7, ref v8, ref v13, m3, m4);
        G(ref v3, ref v4, ref v9, ref v14, m7, m13);

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
