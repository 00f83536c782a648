namespace BuildMlops.Testing;

/// <summary>
/// A copy of one of the repository's example pipelines in a temporary directory: its project file,
/// data and committed lock file, as a fresh clone would have them, with the SDK imported from this
/// repository's source by absolute path. Builds run through the real dotnet CLI and MSBuild.
/// </summary>
public sealed class PipelineWorkspace : IDisposable
{
    private readonly TemporaryDirectory _directory;

    public PipelineWorkspace(string pipeline, bool withLockFile = true)
    {
        _directory = new TemporaryDirectory(pipeline);
        Name = pipeline;
        Directory = _directory.Combine(pipeline);
        // Its own repository root, so its cache and run cache are its own whatever folders lie above it.
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, ".mlops"));
        var source = Path.Combine(RepoLayout.Pipelines, pipeline);
        CopyDirectory(Path.Combine(source, "data"), Path.Combine(Directory, "data"));
        if (withLockFile && File.Exists(Path.Combine(source, "mlops.lock.json")))
        {
            File.Copy(Path.Combine(source, "mlops.lock.json"), LockFile);
        }

        var project = File.ReadAllText(Path.Combine(source, pipeline + ".csproj"))
            .Replace(@"..\..\src\BuildMlops.Sdk\Sdk\", RepoLayout.SdkFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        File.WriteAllText(ProjectFile, project);
    }

    public string Name { get; }

    public string Directory { get; }

    public string ProjectFile => Path.Combine(Directory, Name + ".csproj");

    public string LockFile => Path.Combine(Directory, "mlops.lock.json");

    public string Output(string fileName) => Path.Combine(Directory, "bin", "mlops", fileName);

    public string Data(string fileName) => Path.Combine(Directory, "data", fileName);

    /// <summary><c>dotnet build</c> with extra arguments, such as <c>-t:MlopsTrain</c> or <c>-p:MlopsSeed=7</c>.</summary>
    public ProcessResult Build(params string[] arguments) => Build(arguments, environment: null);

    public ProcessResult Build(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment) =>
        ProcessRunner.Dotnet(Directory, ["build", ProjectFile, "-nodeReuse:false", "-tl:off", "-nologo", .. arguments], environment);

    public ProcessResult Dotnet(params string[] arguments) => ProcessRunner.Dotnet(Directory, arguments);

    /// <summary>Runs the mlops CLI, as staged beside the SDK.</summary>
    public ProcessResult Mlops(params string[] arguments) => ProcessRunner.Dotnet(Directory, [RepoLayout.MlopsDll, .. arguments]);

    /// <summary>Replaces text in the project file, as a user editing it would.</summary>
    public void EditProject(string oldText, string newText)
    {
        var text = File.ReadAllText(ProjectFile);
        if (!text.Contains(oldText, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"'{oldText}' is not in {ProjectFile}");
        }

        File.WriteAllText(ProjectFile, text.Replace(oldText, newText, StringComparison.Ordinal));
    }

    public void Dispose() => _directory.Dispose();

    private static void CopyDirectory(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (var file in System.IO.Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
