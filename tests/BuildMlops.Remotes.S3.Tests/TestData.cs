using System.Security.Cryptography;
using BuildMlops.Remotes.S3;
using BuildMlops.Repository;
using BuildMlops.Testing;

namespace BuildMlops.Remotes.S3.Tests;

/// <summary>Files of random bytes, their hashes, and remotes on the test server, each under a fresh prefix.</summary>
public static class TestData
{
    public const long MiB = 1L << 20;

    /// <summary>Writes <paramref name="length"/> random bytes (seeded, so a failure can be replayed) to a file.</summary>
    public static string RandomFile(TemporaryDirectory directory, string name, long length, int seed = 1)
    {
        var path = directory.Combine(name);
        var random = new Random(seed);
        var buffer = new byte[MiB];
        using var stream = File.Create(path);
        for (var left = length; left > 0; left -= buffer.Length)
        {
            random.NextBytes(buffer);
            stream.Write(buffer, 0, (int)Math.Min(buffer.Length, left));
        }

        return path;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The settings a user would write for the test server, under a prefix no other test uses.</summary>
    public static RemoteSettings Settings(S3Server server, string? bucket = null) => new()
    {
        Url = $"s3://{bucket ?? server.Bucket}/tests/{Guid.NewGuid():N}",
        Options = new(StringComparer.Ordinal) { [S3RemoteOptions.EndpointOption] = server.Endpoint },
    };

    public static S3Remote Remote(S3Server server, string? bucket = null) => new("storage", Settings(server, bucket));
}
