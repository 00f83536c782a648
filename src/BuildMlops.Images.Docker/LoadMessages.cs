using Docker.DotNet.Models;

namespace BuildMlops.Images.Docker;

/// <summary>
/// Collects the JSON messages an engine streams back from /images/load. Docker.DotNet hands errors to the
/// progress sink instead of throwing ("error" or "errorDetail" in a message), so this is where a refused load
/// shows. Reports arrive on the reading thread; unlike <see cref="Progress{T}"/> nothing is posted elsewhere,
/// so everything is here when the load returns.
/// </summary>
internal sealed class LoadMessages : IProgress<JSONMessage>
{
    private readonly List<string> lines = [];

    /// <summary>The first error message, or null when the engine reported none.</summary>
    public string? Error { get; private set; }

    /// <summary>What the engine said, on one line ("Loaded image: churn:1.0.0").</summary>
    public string Summary => lines.Count == 0 ? "nothing" : string.Join("; ", lines);

    public void Report(JSONMessage value)
    {
        var error = value.Error?.Message ?? value.ErrorMessage;
        if (!string.IsNullOrWhiteSpace(error))
        {
            Error ??= error.Trim();
        }

        foreach (var text in new[] { value.Stream, value.Status })
        {
            if (!string.IsNullOrWhiteSpace(text))
            {
                lines.Add(text.Trim());
            }
        }
    }
}
