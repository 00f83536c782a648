namespace BuildMlops.Images.Docker;

/// <summary>What <see cref="DockerArchiveWriter.Write"/> put in a docker-archive tar.</summary>
/// <param name="ConfigDigest">The image config's digest: the image ID a classic Docker engine gives the loaded image.</param>
/// <param name="RepoTag">The name the engine tags the image with on load, e.g. churn:1.0.0.</param>
/// <param name="LayerDigests">The layers' blob digests (compressed as in the OCI layout), base first.</param>
/// <param name="Created">The config's "created" time, in whole seconds: the mtime of every entry.</param>
public sealed record DockerArchive(string ConfigDigest, string RepoTag, IReadOnlyList<string> LayerDigests, DateTimeOffset Created);
