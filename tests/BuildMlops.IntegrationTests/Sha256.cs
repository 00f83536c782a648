using System.Security.Cryptography;

namespace BuildMlops.IntegrationTests;

internal static class Sha256
{
    public static string Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
