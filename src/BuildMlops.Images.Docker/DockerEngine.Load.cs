using BuildMlops.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace BuildMlops.Images.Docker;

public sealed partial class DockerEngine
{
    /// <summary>
    /// Loads the image of an OCI layout tar into the engine as <paramref name="tag"/>. The layout is converted to a
    /// docker-archive first (<see cref="DockerArchiveWriter"/>), because engines before Docker 25 load only that; the
    /// archive is a temporary file next to the image tar (the same disk already holds the image once, whereas the
    /// temporary folder may be a small tmpfs) and is deleted afterwards.
    /// </summary>
    /// <param name="imageTarPath">The OCI layout tar, e.g. bin/mlops/image/image.tar.</param>
    /// <param name="tag">name:tag for the loaded image, e.g. churn:1.0.0.</param>
    /// <param name="ct">Cancels the load; the engine may still finish loading what it has received.</param>
    /// <returns>The engine's ID of the loaded image (the config digest on a classic Docker engine).</returns>
    /// <exception cref="ArgumentException"><paramref name="tag"/> is not name:tag.</exception>
    /// <exception cref="MlopsException">BM7008 when there is no image tar, or it is not a readable OCI layout; BM7009 when the engine fails or refuses the load.</exception>
    public async Task<string> LoadAsync(string imageTarPath, string tag, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(imageTarPath);
        RepoTag.Parse(tag);
        var tarPath = Path.GetFullPath(imageTarPath);
        if (!File.Exists(tarPath))
        {
            throw NotPackaged(tarPath, "there is no image tar here");
        }

        var archivePath = Path.Combine(Path.GetDirectoryName(tarPath)!, $".{Path.GetFileName(tarPath)}.docker-archive-{Guid.NewGuid():N}.tmp");
        try
        {
            try
            {
                await using var output = new FileStream(archivePath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
                DockerArchiveWriter.Write(tarPath, tag, output);
            }
            catch (InvalidDataException exception)
            {
                throw NotPackaged(tarPath, exception.Message);
            }

            var messages = new LoadMessages();
            try
            {
                await using var archive = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                await client.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, archive, messages, ct).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                throw EngineFailed($"loading {tarPath}", exception);
            }

            // Docker.DotNet stops reading the progress stream on cancellation without throwing.
            ct.ThrowIfCancellationRequested();
            if (messages.Error is { } error)
            {
                throw new MlopsException(
                    ErrorCodes.DockerEngineUnavailable,
                    new SourceLocation(Endpoint.ToString()),
                    $"the engine at {Endpoint} refused the image {tarPath} as {tag}: {error}",
                    "Check the engine's disk space and version (docker info); 'docker load -i' of the same file shows the same error");
            }

            try
            {
                var image = await client.Images.InspectImageAsync(tag, ct).ConfigureAwait(false);
                return image.ID;
            }
            catch (DockerImageNotFoundException exception)
            {
                throw EngineFailed($"loading {tarPath}: it reported '{messages.Summary}' but has no image {tag} afterwards", exception);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                throw EngineFailed($"looking up the loaded image {tag}", exception);
            }
        }
        finally
        {
            File.Delete(archivePath);
        }
    }

    private static MlopsException NotPackaged(string tarPath, string problem) => new(
        ErrorCodes.ImageNotPackaged,
        new SourceLocation(tarPath),
        $"no image to load at {tarPath}: {problem}",
        "Package the image first (it writes bin/mlops/image/image.tar); MlopsDockerLoad and MlopsSmokeTest load that file");
}
