using System.Globalization;

namespace BuildMlops.Images.Registry;

/// <summary>Human progress lines, one at a time although blobs move in parallel.</summary>
internal sealed class RegistryProgress(Action<string>? report)
{
    private readonly Lock gate = new();

    public void Report(string line)
    {
        if (report is null)
        {
            return;
        }

        lock (gate)
        {
            report(line);
        }
    }

    /// <summary>"12.3 MB", "812 B": decimal units, as registries' and Docker's own output show sizes.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1000 => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        < 1000_000 => (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kB",
        < 1000_000_000 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB",
    };
}
