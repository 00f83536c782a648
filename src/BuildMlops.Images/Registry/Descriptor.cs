using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace BuildMlops.Images.Registry;

/// <summary>A content descriptor: what a manifest or index says about a blob or manifest it points at.</summary>
internal sealed record Descriptor(string MediaType, string Digest, long Size)
{
    /// <summary>Reads one; <see cref="InvalidDataException"/> when it lacks a sha256 digest or a size.</summary>
    public static Descriptor From(JsonNode? node)
    {
        var mediaType = (string?)node?["mediaType"] ?? "";
        var digest = (string?)node?["digest"] ?? throw new InvalidDataException("a descriptor has no digest");
        BlobStore.Hex(digest);
        var size = node?["size"]?.GetValue<long>() ?? throw new InvalidDataException($"the descriptor of {digest} has no size");
        return size < 0 ? throw new InvalidDataException($"the descriptor of {digest} has a negative size") : new Descriptor(mediaType, digest, size);
    }

    public static string DigestOf(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>"sha256:0123456789ab…", enough to tell blobs apart in a progress line.</summary>
    public static string Short(string digest) => digest.Length > 19 ? digest[..19] + "…" : digest;
}
