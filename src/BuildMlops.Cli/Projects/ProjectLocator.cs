using BuildMlops.Diagnostics;

namespace BuildMlops.Cli.Projects;

/// <summary>Finds the model project a command is about: a .csproj path, or the one .csproj in a directory.</summary>
internal static class ProjectLocator
{
    public static string Find(string? pathOrDirectory)
    {
        var path = Path.GetFullPath(string.IsNullOrEmpty(pathOrDirectory) ? "." : pathOrDirectory);
        if (File.Exists(path))
        {
            return path;
        }

        if (!Directory.Exists(path))
        {
            throw new MlopsException(ErrorCodes.ProjectNotFound, new SourceLocation(path), "no such file or directory", "Give the directory of a model project, or its .csproj file");
        }

        var projects = Directory.GetFiles(path, "*.csproj").Order(StringComparer.Ordinal).ToArray();
        return projects.Length switch
        {
            1 => projects[0],
            0 => throw new MlopsException(ErrorCodes.ProjectNotFound, new SourceLocation(path), "the directory holds no .csproj model project", "Give the directory of a model project, or its .csproj file"),
            _ => throw new MlopsException(ErrorCodes.ProjectNotFound, new SourceLocation(path), $"the directory holds {projects.Length} projects ({string.Join(", ", projects.Select(Path.GetFileName))})", "Give the .csproj file to use"),
        };
    }
}
