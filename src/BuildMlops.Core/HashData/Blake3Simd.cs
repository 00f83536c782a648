using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace BuildMlops.HashData;

/// <summary>Sixteen vectors of message words, one per word index, each vector holding that word for every lane.</summary>
[InlineArray(16)]
internal struct Blake3Message<T>
{
    private T _element;
}

/// <summary>
/// BLAKE3's "hash many": compresses several independent inputs (chunks, or parent nodes) at once, one per
/// SIMD lane. Within one input the blocks are sequential, so the parallelism BLAKE3 offers is across
/// chunks; each lane holds the same state word of a different input, which needs a transpose of the
/// message words on the way in and of the chaining values on the way out.
/// </summary>
internal static unsafe class Blake3Simd
{
    /// <summary>The widest lane count this CPU runs well: 16 (AVX-512), 8 (AVX2), 4 (SSE2/NEON), or 1.</summary>
    public static readonly int BestLanes = SupportedLanes().Max();

    public static IEnumerable<int> SupportedLanes()
    {
        yield return 1;
        if (!BitConverter.IsLittleEndian)
        {
            yield break;
        }

        if (Vector128.IsHardwareAccelerated)
        {
            yield return 4;
        }

        if (Avx2.IsSupported)
        {
            yield return 8;
        }

        // Vector512.IsHardwareAccelerated is false on CPUs where the runtime judged 512-bit code to slow the
        // clock down; follow that judgement.
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
        {
            yield return 16;
        }
    }

    /// <summary>
    /// Hashes <paramref name="count"/> inputs of <paramref name="blocks"/> 64-byte blocks each, laid out
    /// <paramref name="stride"/> bytes apart, writing one 32-byte chaining value per input to
    /// <paramref name="output"/>. Input i uses counter + i when <paramref name="incrementCounter"/> (chunks)
    /// and counter otherwise (parents). The output may overlap the input from its start (parents are
    /// reduced in place): every batch reads all of its blocks before it writes.
    /// </summary>
    public static void HashMany(byte* input, int count, int stride, int blocks, in Blake3Words8 key, ulong counter,
        bool incrementCounter, uint flags, uint flagsStart, uint flagsEnd, byte* output, int lanes)
    {
        // One kernel per CPU: a short tail runs in the wide kernel with its last input repeated in the spare
        // lanes. Narrower kernels would finish a tail a little sooner, but each one the process touches costs
        // milliseconds of JIT, more than a tail of at most 15 chunks saves.
        var step = incrementCounter ? 1UL : 0UL;
        var width = lanes >= 16 && Avx512F.IsSupported ? 16
            : lanes >= 8 && Avx2.IsSupported ? 8
            : lanes >= 4 && Vector128.IsHardwareAccelerated ? 4
            : 1;
        while (count > 1 && width > 1)
        {
            var n = Math.Min(count, width);
            switch (width)
            {
                case 16:
                    Hash16(input, stride, n, blocks, key, counter, step, flags, flagsStart, flagsEnd, output);
                    break;
                case 8:
                    Hash8(input, stride, n, blocks, key, counter, step, flags, flagsStart, flagsEnd, output);
                    break;
                default:
                    Hash4(input, stride, n, blocks, key, counter, step, flags, flagsStart, flagsEnd, output);
                    break;
            }

            count -= n;
            input += n * stride;
            output += n * Blake3Core.CvLen;
            counter += (ulong)n * step;
        }

        for (; count > 0; count--, input += stride, output += Blake3Core.CvLen, counter += step)
        {
            HashOne(input, blocks, key, counter, flags, flagsStart, flagsEnd, output);
        }
    }

    private static void HashOne(byte* input, int blocks, in Blake3Words8 key, ulong counter, uint flags, uint flagsStart, uint flagsEnd, byte* output)
    {
        var cv = key;
        var words = default(Blake3Words16);
        for (var b = 0; b < blocks; b++)
        {
            var blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);
            Blake3Core.LoadBlock(new ReadOnlySpan<byte>(input + (b * Blake3Core.BlockLen), Blake3Core.BlockLen), ref words);
            Blake3Core.Compress(ref cv, words, counter, Blake3Core.BlockLen, blockFlags);
        }

        Blake3Core.StoreCv(cv, new Span<byte>(output, Blake3Core.CvLen));
    }

    /// <summary>Per-lane counters, split into the low and high words the state holds.</summary>
    private static void Counters(ulong counter, ulong step, uint* low, uint* high, int lanes)
    {
        for (var i = 0; i < lanes; i++)
        {
            var c = counter + ((ulong)i * step);
            low[i] = (uint)c;
            high[i] = (uint)(c >> 32);
        }
    }

    /// <summary>Lane j's input; lanes past <paramref name="count"/> repeat the last input, and their results are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* Row(byte* p, int stride, int count, int lane) => p + ((long)Math.Min(lane, count - 1) * stride);

    /// <summary>Writes the first <paramref name="count"/> lanes' chaining values (word i of lane j is element j of <paramref name="h"/>[i]) contiguously.</summary>
    private static void StoreTransposed(uint* h, int lanes, int count, byte* output)
    {
        var o = (uint*)output;
        for (var j = 0; j < count; j++)
        {
            for (var i = 0; i < 8; i++)
            {
                o[(j * 8) + i] = h[(i * lanes) + j];
            }
        }
    }

    /// <summary>Message word <c>Schedule[index]</c>, without bounds checks: the schedule only holds 0..15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T M<T>(ref Blake3Message<T> m, int index) =>
        Unsafe.Add(ref Unsafe.As<Blake3Message<T>, T>(ref m), Unsafe.Add(ref MemoryMarshal.GetReference(Blake3Core.Schedule), index));

    // ---------------------------------------------------------------- 16 lanes, AVX-512

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Hash16(byte* input, int stride, int count, int blocks, in Blake3Words8 key, ulong counter, ulong step,
        uint flags, uint flagsStart, uint flagsEnd, byte* output)
    {
        uint* low = stackalloc uint[16], high = stackalloc uint[16];
        Counters(counter, step, low, high, 16);
        var counterLow = Vector512.Load(low);
        var counterHigh = Vector512.Load(high);
        Vector512<uint> h0 = Vector512.Create(key[0]), h1 = Vector512.Create(key[1]), h2 = Vector512.Create(key[2]), h3 = Vector512.Create(key[3]);
        Vector512<uint> h4 = Vector512.Create(key[4]), h5 = Vector512.Create(key[5]), h6 = Vector512.Create(key[6]), h7 = Vector512.Create(key[7]);
        var m = default(Blake3Message<Vector512<uint>>);
        for (var b = 0; b < blocks; b++)
        {
            var blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);
            Transpose16(input + (b * Blake3Core.BlockLen), stride, count, ref m);
            Vector512<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            Vector512<uint> v8 = Vector512.Create(Blake3Core.IV0), v9 = Vector512.Create(Blake3Core.IV1);
            Vector512<uint> v10 = Vector512.Create(Blake3Core.IV2), v11 = Vector512.Create(Blake3Core.IV3);
            Vector512<uint> v12 = counterLow, v13 = counterHigh, v14 = Vector512.Create((uint)Blake3Core.BlockLen), v15 = Vector512.Create(blockFlags);

            // One round's code, run seven times with the message words in each round's order: written out
            // seven times it is no faster and takes the JIT many times longer, which a short process pays for.
            for (var r = 0; r < Blake3Core.Rounds * 16; r += 16)
            {
                G(ref v0, ref v4, ref v8, ref v12, M(ref m, r), M(ref m, r + 1));
                G(ref v1, ref v5, ref v9, ref v13, M(ref m, r + 2), M(ref m, r + 3));
                G(ref v2, ref v6, ref v10, ref v14, M(ref m, r + 4), M(ref m, r + 5));
                G(ref v3, ref v7, ref v11, ref v15, M(ref m, r + 6), M(ref m, r + 7));
                G(ref v0, ref v5, ref v10, ref v15, M(ref m, r + 8), M(ref m, r + 9));
                G(ref v1, ref v6, ref v11, ref v12, M(ref m, r + 10), M(ref m, r + 11));
                G(ref v2, ref v7, ref v8, ref v13, M(ref m, r + 12), M(ref m, r + 13));
                G(ref v3, ref v4, ref v9, ref v14, M(ref m, r + 14), M(ref m, r + 15));
            }

            h0 = v0 ^ v8; h1 = v1 ^ v9; h2 = v2 ^ v10; h3 = v3 ^ v11;
            h4 = v4 ^ v12; h5 = v5 ^ v13; h6 = v6 ^ v14; h7 = v7 ^ v15;
        }

        uint* t = stackalloc uint[8 * 16];
        h0.Store(t); h1.Store(t + 16); h2.Store(t + 32); h3.Store(t + 48);
        h4.Store(t + 64); h5.Store(t + 80); h6.Store(t + 96); h7.Store(t + 112);
        StoreTransposed(t, 16, count, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref Vector512<uint> a, ref Vector512<uint> b, ref Vector512<uint> c, ref Vector512<uint> d, Vector512<uint> x, Vector512<uint> y)
    {
        a += b + x;
        d = Avx512F.RotateRight(d ^ a, 16);
        c += d;
        b = Avx512F.RotateRight(b ^ c, 12);
        a += b + y;
        d = Avx512F.RotateRight(d ^ a, 8);
        c += d;
        b = Avx512F.RotateRight(b ^ c, 7);
    }

    /// <summary>
    /// Loads block rows of 16 lanes and transposes the 16x16 word matrix: 32-bit and 64-bit unpacks gather
    /// four lanes' words within each 128-bit quarter, then two rounds of 128-bit shuffles move the quarters.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16(byte* p, int stride, int count, ref Blake3Message<Vector512<uint>> m)
    {
        var r0 = Vector512.Load((uint*)Row(p, stride, count, 0));
        var r1 = Vector512.Load((uint*)Row(p, stride, count, 1));
        var r2 = Vector512.Load((uint*)Row(p, stride, count, 2));
        var r3 = Vector512.Load((uint*)Row(p, stride, count, 3));
        var r4 = Vector512.Load((uint*)Row(p, stride, count, 4));
        var r5 = Vector512.Load((uint*)Row(p, stride, count, 5));
        var r6 = Vector512.Load((uint*)Row(p, stride, count, 6));
        var r7 = Vector512.Load((uint*)Row(p, stride, count, 7));
        var r8 = Vector512.Load((uint*)Row(p, stride, count, 8));
        var r9 = Vector512.Load((uint*)Row(p, stride, count, 9));
        var r10 = Vector512.Load((uint*)Row(p, stride, count, 10));
        var r11 = Vector512.Load((uint*)Row(p, stride, count, 11));
        var r12 = Vector512.Load((uint*)Row(p, stride, count, 12));
        var r13 = Vector512.Load((uint*)Row(p, stride, count, 13));
        var r14 = Vector512.Load((uint*)Row(p, stride, count, 14));
        var r15 = Vector512.Load((uint*)Row(p, stride, count, 15));

        // After the 32-bit unpack, each 128-bit quarter holds words 4q, 4q+1 (low) or 4q+2, 4q+3 (high) of two rows.
        Vector512<uint> a0 = Avx512F.UnpackLow(r0, r1), a1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<uint> b0 = Avx512F.UnpackLow(r2, r3), b1 = Avx512F.UnpackHigh(r2, r3);
        Vector512<uint> c0 = Avx512F.UnpackLow(r4, r5), c1 = Avx512F.UnpackHigh(r4, r5);
        Vector512<uint> d0 = Avx512F.UnpackLow(r6, r7), d1 = Avx512F.UnpackHigh(r6, r7);
        Vector512<uint> e0 = Avx512F.UnpackLow(r8, r9), e1 = Avx512F.UnpackHigh(r8, r9);
        Vector512<uint> f0 = Avx512F.UnpackLow(r10, r11), f1 = Avx512F.UnpackHigh(r10, r11);
        Vector512<uint> g0 = Avx512F.UnpackLow(r12, r13), g1 = Avx512F.UnpackHigh(r12, r13);
        Vector512<uint> k0 = Avx512F.UnpackLow(r14, r15), k1 = Avx512F.UnpackHigh(r14, r15);

        // After the 64-bit unpack, quarter q of group t's vector k holds word 4q+k of rows 4t..4t+3.
        Quarters16(Low64(a0, b0), Low64(c0, d0), Low64(e0, f0), Low64(g0, k0), 0, ref m);
        Quarters16(High64(a0, b0), High64(c0, d0), High64(e0, f0), High64(g0, k0), 1, ref m);
        Quarters16(Low64(a1, b1), Low64(c1, d1), Low64(e1, f1), Low64(g1, k1), 2, ref m);
        Quarters16(High64(a1, b1), High64(c1, d1), High64(e1, f1), High64(g1, k1), 3, ref m);
    }

    /// <summary>Word 4q+k of all 16 rows is quarter q of t0, t1, t2, t3: a 4x4 transpose of 128-bit quarters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quarters16(Vector512<uint> t0, Vector512<uint> t1, Vector512<uint> t2, Vector512<uint> t3, int k, ref Blake3Message<Vector512<uint>> m)
    {
        // 0x88 picks quarters 0, 2 of each source, 0xDD quarters 1, 3.
        var x = Avx512F.Shuffle4x128(t0, t1, 0x88);
        var y = Avx512F.Shuffle4x128(t0, t1, 0xDD);
        var z = Avx512F.Shuffle4x128(t2, t3, 0x88);
        var w = Avx512F.Shuffle4x128(t2, t3, 0xDD);
        m[k] = Avx512F.Shuffle4x128(x, z, 0x88);
        m[k + 8] = Avx512F.Shuffle4x128(x, z, 0xDD);
        m[k + 4] = Avx512F.Shuffle4x128(y, w, 0x88);
        m[k + 12] = Avx512F.Shuffle4x128(y, w, 0xDD);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Low64(Vector512<uint> a, Vector512<uint> b) => Avx512F.UnpackLow(a.AsUInt64(), b.AsUInt64()).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> High64(Vector512<uint> a, Vector512<uint> b) => Avx512F.UnpackHigh(a.AsUInt64(), b.AsUInt64()).AsUInt32();

    // ---------------------------------------------------------------- 8 lanes, AVX2

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Hash8(byte* input, int stride, int count, int blocks, in Blake3Words8 key, ulong counter, ulong step,
        uint flags, uint flagsStart, uint flagsEnd, byte* output)
    {
        uint* low = stackalloc uint[8], high = stackalloc uint[8];
        Counters(counter, step, low, high, 8);
        var counterLow = Vector256.Load(low);
        var counterHigh = Vector256.Load(high);
        Vector256<uint> h0 = Vector256.Create(key[0]), h1 = Vector256.Create(key[1]), h2 = Vector256.Create(key[2]), h3 = Vector256.Create(key[3]);
        Vector256<uint> h4 = Vector256.Create(key[4]), h5 = Vector256.Create(key[5]), h6 = Vector256.Create(key[6]), h7 = Vector256.Create(key[7]);
        var m = default(Blake3Message<Vector256<uint>>);
        for (var b = 0; b < blocks; b++)
        {
            var blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);
            var p = input + (b * Blake3Core.BlockLen);
            Transpose8(p, stride, count, 0, ref m);
            Transpose8(p + 32, stride, count, 8, ref m);
            Vector256<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            Vector256<uint> v8 = Vector256.Create(Blake3Core.IV0), v9 = Vector256.Create(Blake3Core.IV1);
            Vector256<uint> v10 = Vector256.Create(Blake3Core.IV2), v11 = Vector256.Create(Blake3Core.IV3);
            Vector256<uint> v12 = counterLow, v13 = counterHigh, v14 = Vector256.Create((uint)Blake3Core.BlockLen), v15 = Vector256.Create(blockFlags);

            // One round's code, run seven times with the message words in each round's order: written out
            // seven times it is no faster and takes the JIT many times longer, which a short process pays for.
            for (var r = 0; r < Blake3Core.Rounds * 16; r += 16)
            {
                G(ref v0, ref v4, ref v8, ref v12, M(ref m, r), M(ref m, r + 1));
                G(ref v1, ref v5, ref v9, ref v13, M(ref m, r + 2), M(ref m, r + 3));
                G(ref v2, ref v6, ref v10, ref v14, M(ref m, r + 4), M(ref m, r + 5));
                G(ref v3, ref v7, ref v11, ref v15, M(ref m, r + 6), M(ref m, r + 7));
                G(ref v0, ref v5, ref v10, ref v15, M(ref m, r + 8), M(ref m, r + 9));
                G(ref v1, ref v6, ref v11, ref v12, M(ref m, r + 10), M(ref m, r + 11));
                G(ref v2, ref v7, ref v8, ref v13, M(ref m, r + 12), M(ref m, r + 13));
                G(ref v3, ref v4, ref v9, ref v14, M(ref m, r + 14), M(ref m, r + 15));
            }

            h0 = v0 ^ v8; h1 = v1 ^ v9; h2 = v2 ^ v10; h3 = v3 ^ v11;
            h4 = v4 ^ v12; h5 = v5 ^ v13; h6 = v6 ^ v14; h7 = v7 ^ v15;
        }

        uint* t = stackalloc uint[8 * 8];
        h0.Store(t); h1.Store(t + 8); h2.Store(t + 16); h3.Store(t + 24);
        h4.Store(t + 32); h5.Store(t + 40); h6.Store(t + 48); h7.Store(t + 56);
        StoreTransposed(t, 8, count, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref Vector256<uint> a, ref Vector256<uint> b, ref Vector256<uint> c, ref Vector256<uint> d, Vector256<uint> x, Vector256<uint> y)
    {
        // Rotations by whole bytes are one byte shuffle; the others need two shifts and an or.
        var rotate16 = Vector256.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
        var rotate8 = Vector256.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
        a += b + x;
        d = Avx2.Shuffle((d ^ a).AsByte(), rotate16).AsUInt32();
        c += d;
        b ^= c;
        b = Vector256.ShiftRightLogical(b, 12) | Vector256.ShiftLeft(b, 20);
        a += b + y;
        d = Avx2.Shuffle((d ^ a).AsByte(), rotate8).AsUInt32();
        c += d;
        b ^= c;
        b = Vector256.ShiftRightLogical(b, 7) | Vector256.ShiftLeft(b, 25);
    }

    /// <summary>Transposes one 8x8 word matrix (32 bytes of each of 8 lanes) into message words offset..offset+7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(byte* p, int stride, int count, int offset, ref Blake3Message<Vector256<uint>> m)
    {
        var r0 = Vector256.Load((uint*)Row(p, stride, count, 0));
        var r1 = Vector256.Load((uint*)Row(p, stride, count, 1));
        var r2 = Vector256.Load((uint*)Row(p, stride, count, 2));
        var r3 = Vector256.Load((uint*)Row(p, stride, count, 3));
        var r4 = Vector256.Load((uint*)Row(p, stride, count, 4));
        var r5 = Vector256.Load((uint*)Row(p, stride, count, 5));
        var r6 = Vector256.Load((uint*)Row(p, stride, count, 6));
        var r7 = Vector256.Load((uint*)Row(p, stride, count, 7));
        Vector256<uint> a0 = Avx2.UnpackLow(r0, r1), a1 = Avx2.UnpackHigh(r0, r1);
        Vector256<uint> b0 = Avx2.UnpackLow(r2, r3), b1 = Avx2.UnpackHigh(r2, r3);
        Vector256<uint> c0 = Avx2.UnpackLow(r4, r5), c1 = Avx2.UnpackHigh(r4, r5);
        Vector256<uint> d0 = Avx2.UnpackLow(r6, r7), d1 = Avx2.UnpackHigh(r6, r7);

        // Half h of group t's vector k holds word 4h+k of rows 4t..4t+3; 0x20 joins the low halves, 0x31 the high.
        Halves8(Low64(a0, b0), Low64(c0, d0), offset, ref m);
        Halves8(High64(a0, b0), High64(c0, d0), offset + 1, ref m);
        Halves8(Low64(a1, b1), Low64(c1, d1), offset + 2, ref m);
        Halves8(High64(a1, b1), High64(c1, d1), offset + 3, ref m);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Halves8(Vector256<uint> t0, Vector256<uint> t1, int k, ref Blake3Message<Vector256<uint>> m)
    {
        m[k] = Avx2.Permute2x128(t0, t1, 0x20);
        m[k + 4] = Avx2.Permute2x128(t0, t1, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Low64(Vector256<uint> a, Vector256<uint> b) => Avx2.UnpackLow(a.AsUInt64(), b.AsUInt64()).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> High64(Vector256<uint> a, Vector256<uint> b) => Avx2.UnpackHigh(a.AsUInt64(), b.AsUInt64()).AsUInt32();

    // ---------------------------------------------------------------- 4 lanes, SSE2 / NEON / any 128-bit SIMD

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Hash4(byte* input, int stride, int count, int blocks, in Blake3Words8 key, ulong counter, ulong step,
        uint flags, uint flagsStart, uint flagsEnd, byte* output)
    {
        uint* low = stackalloc uint[4], high = stackalloc uint[4];
        Counters(counter, step, low, high, 4);
        var counterLow = Vector128.Load(low);
        var counterHigh = Vector128.Load(high);
        Vector128<uint> h0 = Vector128.Create(key[0]), h1 = Vector128.Create(key[1]), h2 = Vector128.Create(key[2]), h3 = Vector128.Create(key[3]);
        Vector128<uint> h4 = Vector128.Create(key[4]), h5 = Vector128.Create(key[5]), h6 = Vector128.Create(key[6]), h7 = Vector128.Create(key[7]);
        var m = default(Blake3Message<Vector128<uint>>);
        for (var b = 0; b < blocks; b++)
        {
            var blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);
            var p = input + (b * Blake3Core.BlockLen);
            Transpose4(p, stride, count, 0, ref m);
            Transpose4(p + 16, stride, count, 4, ref m);
            Transpose4(p + 32, stride, count, 8, ref m);
            Transpose4(p + 48, stride, count, 12, ref m);
            Vector128<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            Vector128<uint> v8 = Vector128.Create(Blake3Core.IV0), v9 = Vector128.Create(Blake3Core.IV1);
            Vector128<uint> v10 = Vector128.Create(Blake3Core.IV2), v11 = Vector128.Create(Blake3Core.IV3);
            Vector128<uint> v12 = counterLow, v13 = counterHigh, v14 = Vector128.Create((uint)Blake3Core.BlockLen), v15 = Vector128.Create(blockFlags);

            // One round's code, run seven times with the message words in each round's order: written out
            // seven times it is no faster and takes the JIT many times longer, which a short process pays for.
            for (var r = 0; r < Blake3Core.Rounds * 16; r += 16)
            {
                G(ref v0, ref v4, ref v8, ref v12, M(ref m, r), M(ref m, r + 1));
                G(ref v1, ref v5, ref v9, ref v13, M(ref m, r + 2), M(ref m, r + 3));
                G(ref v2, ref v6, ref v10, ref v14, M(ref m, r + 4), M(ref m, r + 5));
                G(ref v3, ref v7, ref v11, ref v15, M(ref m, r + 6), M(ref m, r + 7));
                G(ref v0, ref v5, ref v10, ref v15, M(ref m, r + 8), M(ref m, r + 9));
                G(ref v1, ref v6, ref v11, ref v12, M(ref m, r + 10), M(ref m, r + 11));
                G(ref v2, ref v7, ref v8, ref v13, M(ref m, r + 12), M(ref m, r + 13));
                G(ref v3, ref v4, ref v9, ref v14, M(ref m, r + 14), M(ref m, r + 15));
            }

            h0 = v0 ^ v8; h1 = v1 ^ v9; h2 = v2 ^ v10; h3 = v3 ^ v11;
            h4 = v4 ^ v12; h5 = v5 ^ v13; h6 = v6 ^ v14; h7 = v7 ^ v15;
        }

        uint* t = stackalloc uint[8 * 4];
        h0.Store(t); h1.Store(t + 4); h2.Store(t + 8); h3.Store(t + 12);
        h4.Store(t + 16); h5.Store(t + 20); h6.Store(t + 24); h7.Store(t + 28);
        StoreTransposed(t, 4, count, output);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void G(ref Vector128<uint> a, ref Vector128<uint> b, ref Vector128<uint> c, ref Vector128<uint> d, Vector128<uint> x, Vector128<uint> y)
    {
        a += b + x;
        d = RotateRight(d ^ a, 16);
        c += d;
        b = RotateRight(b ^ c, 12);
        a += b + y;
        d = RotateRight(d ^ a, 8);
        c += d;
        b = RotateRight(b ^ c, 7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight(Vector128<uint> x, [ConstantExpected] byte n)
    {
        if (Ssse3.IsSupported && n == 16)
        {
            return Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();
        }

        if (Ssse3.IsSupported && n == 8)
        {
            return Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32();
        }

        return Vector128.ShiftRightLogical(x, n) | Vector128.ShiftLeft(x, 32 - n);
    }

    /// <summary>Transposes one 4x4 word matrix (16 bytes of each of 4 lanes) into message words offset..offset+3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(byte* p, int stride, int count, int offset, ref Blake3Message<Vector128<uint>> m)
    {
        var r0 = Vector128.Load((uint*)Row(p, stride, count, 0));
        var r1 = Vector128.Load((uint*)Row(p, stride, count, 1));
        var r2 = Vector128.Load((uint*)Row(p, stride, count, 2));
        var r3 = Vector128.Load((uint*)Row(p, stride, count, 3));
        Vector128<uint> a0 = Low32(r0, r1), a1 = High32(r0, r1), b0 = Low32(r2, r3), b1 = High32(r2, r3);
        m[offset] = Low64(a0, b0);
        m[offset + 1] = High64(a0, b0);
        m[offset + 2] = Low64(a1, b1);
        m[offset + 3] = High64(a1, b1);
    }

    // The interleaves are one instruction on x64 (unpck) and Arm64 (zip); elsewhere element moves still work.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Low32(Vector128<uint> a, Vector128<uint> b) =>
        Sse2.IsSupported ? Sse2.UnpackLow(a, b)
        : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.ZipLow(a, b)
        : Vector128.Create(a[0], b[0], a[1], b[1]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> High32(Vector128<uint> a, Vector128<uint> b) =>
        Sse2.IsSupported ? Sse2.UnpackHigh(a, b)
        : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.ZipHigh(a, b)
        : Vector128.Create(a[2], b[2], a[3], b[3]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Low64(Vector128<uint> a, Vector128<uint> b) =>
        Sse2.IsSupported ? Sse2.UnpackLow(a.AsUInt64(), b.AsUInt64()).AsUInt32()
        : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.ZipLow(a.AsUInt64(), b.AsUInt64()).AsUInt32()
        : Vector128.Create(a.AsUInt64()[0], b.AsUInt64()[0]).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> High64(Vector128<uint> a, Vector128<uint> b) =>
        Sse2.IsSupported ? Sse2.UnpackHigh(a.AsUInt64(), b.AsUInt64()).AsUInt32()
        : AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.ZipHigh(a.AsUInt64(), b.AsUInt64()).AsUInt32()
        : Vector128.Create(a.AsUInt64()[1], b.AsUInt64()[1]).AsUInt32();
}
