namespace BuildMlops.GitHub;

/// <summary>Paths as GitHub wants them in annotations: relative to the repository root, with forward slashes.</summary>
internal static class RepositoryPath
{
    /// <summary>
    /// <paramref name="path"/> relative to <paramref name="workspace"/> (the checkout, <c>GITHUB_WORKSPACE</c>) when it
    /// is absolute, else as given; backslashes become slashes and a leading <c>./</c> goes.
    /// </summary>
    public static string Relative(string path, string? workspace)
    {
        if (Path.IsPathRooted(path) && !string.IsNullOrEmpty(workspace))
        {
            path = Path.GetRelativePath(workspace, path);
        }

        path = path.Replace('\\', '/');
        return path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;
    }
}
