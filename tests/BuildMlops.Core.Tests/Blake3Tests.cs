using BuildMlops.HashData;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

[TestFixture]
public sealed class Blake3Tests
{
    /// <summary>The input lengths of BLAKE3's official test_vectors.json; byte i of each input is i % 251.</summary>
    private static readonly int[] OfficialLengths =
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 63, 64, 65, 127, 128, 129, 1023, 1024, 1025, 2048, 2049, 3072, 3073, 4096, 4097,
        5120, 5121, 6144, 6145, 7168, 7169, 8192, 8193, 16384, 31744, 102400,
    ];

    /// <summary>Sizes at the edges of a chunk, of 4/8/16-lane batches, of the 256-chunk subtree and of a 1 MiB file unit.</summary>
    private static readonly int[] BoundarySizes =
    [
        1023, 1024, 1025, 4 * 1024, (4 * 1024) + 1, (8 * 1024) - 1, 8 * 1024, (16 * 1024) - 1, 16 * 1024, (16 * 1024) + 1,
        (17 * 1024) + 5, (31 * 1024) + 64, (32 * 1024) + 1, (255 * 1024) + 1000, 256 * 1024, (256 * 1024) + 1,
        (511 * 1024) + 3, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (3 << 20) + 12345,
    ];

    private static IEnumerable<int> Lanes() => Blake3Simd.SupportedLanes();

    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = (byte)(i % 251);
        }

        return data;
    }

    private static byte[] Random(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static string HashWith(ReadOnlySpan<byte> data, int lanes)
    {
        var hash = new byte[Blake3.HashSize];
        Blake3.Hash(data, hash, lanes);
        return Hex(hash);
    }

    [TestCase(0, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262")]
    [TestCase(1, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213")]
    [TestCase(63, "e9bc37a594daad83be9470df7f7b3798297c3d834ce80ba85d6e207627b7db7b")]
    [TestCase(64, "4eed7141ea4a5cd4b788606bd23f46e212af9cacebacdc7d1f4c6dc7f2511b98")]
    [TestCase(65, "de1e5fa0be70df6d2be8fffd0e99ceaa8eb6e8c93a63f2d8d1c30ecb6b263dee")]
    [TestCase(1023, "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11")]
    [TestCase(1024, "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7")]
    [TestCase(1025, "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444")]
    [TestCase(2048, "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a")]
    [TestCase(2049, "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030")]
    [TestCase(3072, "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2")]
    [TestCase(8192, "aae792484c8efe4f19e2ca7d371d8c467ffb10748d8a5a1ae579948f718a2a63")]
    [TestCase(16384, "f875d6646de28985646f34ee13be9a576fd515f76b5b0a26bb324735041ddde4")]
    [TestCase(31744, "62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47")]
    [TestCase(102400, "bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085")]
    public void GivenAnOfficialTestVector_WhenHashedAtEverySimdWidth_ThenTheDigestIsTheSpecs(int length, string expected)
    {
        var data = Pattern(length);

        Assert.That(Hex(Blake3.Hash(data)), Is.EqualTo(expected));
        foreach (var lanes in Lanes())
        {
            Assert.That(HashWith(data, lanes), Is.EqualTo(expected), $"{lanes} lanes");
        }
    }

    [Test]
    public void GivenEveryOfficialLength_WhenHashedAtEverySimdWidthAndAsAFile_ThenEachMatchesB3sum()
    {
        using var directory = new TemporaryDirectory("blake3");
        var files = OfficialLengths.Select(length =>
        {
            var file = directory.Combine($"{length}.bin");
            File.WriteAllBytes(file, Pattern(length));
            return file;
        }).ToList();

        var expected = B3Sum.Of(files);

        foreach (var (length, file) in OfficialLengths.Zip(files))
        {
            var data = Pattern(length);
            foreach (var lanes in Lanes())
            {
                Assert.That(HashWith(data, lanes), Is.EqualTo(expected[file]), $"{length} bytes, {lanes} lanes");
            }

            using var handle = File.OpenHandle(file);
            Assert.That(Hex(Blake3.HashFile(handle)), Is.EqualTo(expected[file]), $"{length} bytes as a file");
        }
    }

    [Test]
    public void GivenRandomDataUpToPast64MiB_WhenHashedInMemoryAndAsAFile_ThenBothMatchB3sum()
    {
        using var directory = new TemporaryDirectory("blake3");

        // Past the parallel threshold of 4 MiB, a partial last unit, a whole number of units, and past 64 MiB.
        int[] sizes = [.. BoundarySizes, (4 << 20) - 1, (4 << 20) + 1, (5 << 20) + 777, 8 << 20, (9 << 20) - 1024, (64 << 20) + 1, (64 << 20) + (3 << 20) + 1025];
        var big = Random(sizes.Max(), seed: 7);
        var files = sizes.Select(size =>
        {
            var file = directory.Combine($"{size}.bin");
            File.WriteAllBytes(file, big.AsSpan(0, size));
            return file;
        }).ToList();

        var expected = B3Sum.Of(files);

        foreach (var (size, file) in sizes.Zip(files))
        {
            Assert.That(Hex(Blake3.Hash(big.AsSpan(0, size))), Is.EqualTo(expected[file]), $"{size} bytes in memory");
            using var handle = File.OpenHandle(file);
            Assert.That(Hex(Blake3.HashFile(handle)), Is.EqualTo(expected[file]), $"{size} bytes as a file");
        }
    }

    [TestCaseSource(nameof(Lanes))]
    public void GivenRandomDataOfManySizes_WhenHashedAtASimdWidth_ThenItEqualsTheScalarDigest(int lanes)
    {
        var data = Random((1 << 20) + (40 * 1024) + 3, seed: lanes);
        var sizes = BoundarySizes.Where(size => size <= data.Length)
            .Concat(Enumerable.Range(0, 70).Select(i => i * 997))
            .Concat(Enumerable.Range(1, 40).Select(i => (i * 1024) + (i % 3) - 1));

        foreach (var size in sizes)
        {
            var slice = data.AsSpan(0, size);
            Assert.That(HashWith(slice, lanes), Is.EqualTo(HashWith(slice, 1)), $"{size} bytes");
        }
    }

    [TestCaseSource(nameof(Lanes))]
    public void GivenAChunkCounterCrossing32Bits_WhenHashedAtASimdWidth_ThenItEqualsTheScalarChainingValue(int lanes)
    {
        // The counter's high word only changes after 4 TiB; a tree state started late checks the carry.
        var data = Random(64 * 1024, seed: 3);
        var start = (1UL << 32) - 5;

        Assert.That(SubtreeChainingValue(data, start, lanes), Is.EqualTo(SubtreeChainingValue(data, start, 1)));
    }

    private static string SubtreeChainingValue(byte[] data, ulong chunkCounter, int lanes)
    {
        var state = default(Blake3State);
        state.Reset(Blake3Core.HashModeKey(), 0, lanes, chunkCounter);
        state.Append(data);
        var cv = state.Finish().ChainingValue();
        var bytes = new byte[32];
        Blake3Core.StoreCv(cv, bytes);
        return Hex(bytes);
    }

    [TestCaseSource(nameof(Lanes))]
    public void GivenDataAppendedInRandomPieces_WhenTheHashIsTaken_ThenItEqualsTheOneShotHashAndTheHasherStartsOver(int lanes)
    {
        var random = new Random(11 + lanes);
        var hasher = new Blake3Hasher(lanes);
        foreach (var size in new[] { 0, 1, 1024, 1025, 5000, 70_000, (1 << 20) + 4097, 3 << 20 })
        {
            var data = Random(size, seed: size);
            for (var round = 0; round < 3; round++)
            {
                var offset = 0;
                while (offset < size)
                {
                    // Mostly small pieces, now and then a large one that crosses many chunks at once.
                    var piece = random.Next(4) == 0 ? random.Next(0, 300_000) : random.Next(0, 2100);
                    piece = Math.Min(piece, size - offset);
                    hasher.Append(data.AsSpan(offset, piece));
                    offset += piece;
                }

                Assert.That(Hex(hasher.GetHashAndReset()), Is.EqualTo(Hex(Blake3.Hash(data))), $"{size} bytes, round {round}");
            }
        }
    }

    [Test]
    public void GivenAHasher_WhenGivenTheOfficialVectorsPieceByPiece_ThenEachDigestIsTheOneShotOne()
    {
        var hasher = new Blake3Hasher();
        foreach (var length in OfficialLengths)
        {
            var data = Pattern(length);
            foreach (var piece in data.Chunk(1000))
            {
                hasher.Append(piece);
            }

            var hash = new byte[Blake3.HashSize];
            hasher.GetHashAndReset(hash);
            Assert.That(Hex(hash), Is.EqualTo(Hex(Blake3.Hash(data))), $"{length} bytes");
        }
    }

    [TestCase(1024, 2)]
    [TestCase(2048, 2)]
    [TestCase(4096, 3)]
    [TestCase(16384, 2)]
    [TestCase(1 << 20, 2)]
    public void GivenFilesAroundUnitBoundaries_WhenHashedSplitAcrossThreads_ThenTheDigestEqualsTheInMemoryOne(int unitSize, int threads)
    {
        using var directory = new TemporaryDirectory("blake3");
        var data = Random((5 * unitSize) + (3 * 1024) + 17, seed: unitSize);
        var file = directory.Combine("data.bin");
        File.WriteAllBytes(file, data);
        int[] sizes = [0, 1, 1024, unitSize - 1, unitSize, unitSize + 1, (2 * unitSize) - 1, 2 * unitSize, (2 * unitSize) + 1024, (3 * unitSize) + 1, 4 * unitSize, (5 * unitSize) + 1025, data.Length];

        foreach (var size in sizes)
        {
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
            {
                stream.SetLength(size);
                stream.Write(data, 0, size);
            }

            using var handle = File.OpenHandle(file);
            foreach (var lanes in Lanes())
            {
                var split = Blake3.HashFile(handle, parallelThreshold: 0, unitSize, threads, lanes);
                Assert.That(Hex(split), Is.EqualTo(Hex(Blake3.Hash(data.AsSpan(0, size)))), $"{size} bytes, {lanes} lanes");
            }
        }
    }

    [Test]
    public void GivenAFileBelowAndAboveTheParallelThreshold_WhenHashed_ThenTheDigestEqualsTheInMemoryOne()
    {
        using var directory = new TemporaryDirectory("blake3");
        foreach (var size in new[] { (int)Blake3.ParallelThreshold, (int)Blake3.ParallelThreshold + 1, (int)Blake3.ParallelThreshold + Blake3.UnitSize })
        {
            var data = Random(size, seed: size);
            var file = directory.Combine($"{size}.bin");
            File.WriteAllBytes(file, data);
            using var handle = File.OpenHandle(file);

            Assert.That(Hex(Blake3.HashFile(handle)), Is.EqualTo(Hex(Blake3.Hash(data))), $"{size} bytes");
        }
    }

    [Test]
    public void GivenAShortOutput_WhenHashed_ThenItIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Blake3.Hash([1, 2, 3], new byte[31]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Blake3Hasher().GetHashAndReset(new byte[31]));
    }
}
