using System.Text;

namespace BuildMlops.GitHub;

/// <summary>
/// The body of a model release: per model, its card, a table of its metrics and the image reference pinned by digest.
/// Deterministic, like <see cref="PrReportMarkdown"/>, and pinned by a golden file.
/// </summary>
public static class ReleaseNotesMarkdown
{
    /// <summary>GitHub's limit on a release body, in characters.</summary>
    public const int BodyLimit = 125000;

    public static string Render(IReadOnlyList<ReleaseModel> models)
    {
        var markdown = new StringBuilder();
        foreach (var model in models)
        {
            if (markdown.Length > 0)
            {
                markdown.Append("---\n\n");
            }

            if (string.IsNullOrWhiteSpace(model.ModelCard))
            {
                markdown.Append("## ").Append(MarkdownText.Text(model.Name)).Append("\n\n");
            }
            else
            {
                markdown.Append(model.ModelCard.ReplaceLineEndings("\n").Trim('\n')).Append("\n\n");
            }

            if (model.Metrics.Count > 0)
            {
                markdown.Append("### Metrics\n\n| metric | value |\n| --- | ---: |\n");
                foreach (var (metric, value) in model.Metrics)
                {
                    markdown.Append("| ").Append(MarkdownText.Cell(MarkdownText.Code(metric))).Append(" | ").Append(MarkdownText.Metric(value)).Append(" |\n");
                }

                markdown.Append('\n');
            }

            if (model.Image is not null)
            {
                Image(markdown, model.Image, model.ImageDigest);
            }
        }

        return GitHubTextLimits.Fit(markdown.ToString().TrimEnd('\n') + "\n", BodyLimit);
    }

    private static void Image(StringBuilder markdown, string image, string? digest)
    {
        markdown.Append("### Image\n\n");
        if (digest is null)
        {
            markdown.Append(MarkdownText.Code(image)).Append("\n\n");
            return;
        }

        // Deploy by digest: the tag names the same image today, but a tag can be pushed again.
        var pinned = $"{Repository(image)}@{digest}";
        markdown.Append(MarkdownText.Code(pinned)).Append(" (tagged ").Append(MarkdownText.Code(image)).Append(")\n\n");
        markdown.Append("```sh\ndocker pull ").Append(pinned).Append("\n```\n\n");
    }

    /// <summary>The reference without its tag or digest: <c>ghcr.io/acme/churn:1.2.0</c> → <c>ghcr.io/acme/churn</c> (a registry's port stays).</summary>
    internal static string Repository(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            image = image[..at];
        }

        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? image[..colon] : image;
    }
}
