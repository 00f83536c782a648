using System.Net;
using System.Net.Http.Headers;

namespace BuildMlops.Images.Registry;

/// <summary>A blob file, or one chunk of it, as a request body read straight from disk (a layer may be gigabytes).</summary>
internal sealed class FileRangeContent : HttpContent
{
    private const int BufferSize = 1 << 16;

    private readonly string path;
    private readonly long offset;
    private readonly long length;

    public FileRangeContent(string path, long offset, long length)
    {
        this.path = path;
        this.offset = offset;
        this.length = length;
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        file.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[BufferSize];
        var remaining = length;
        while (remaining > 0)
        {
            var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
            if (read == 0)
            {
                throw new IOException($"{path} ended {remaining} bytes early; it changed while being pushed");
            }

            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            remaining -= read;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = this.length;
        return true;
    }
}
