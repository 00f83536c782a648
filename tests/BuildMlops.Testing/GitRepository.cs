namespace BuildMlops.Testing;

/// <summary>
/// A temporary git repository holding a copy of an example pipeline whose data is tracked through a
/// pointer file, as a team using BuildMlops's data versioning would have it. The SDK is imported from
/// this repository's source by absolute path.
/// </summary>
public sealed class GitRepository : IDisposable
{
    private readonly TemporaryDirectory _directory;

    public GitRepository(string purpose)
    {
        _directory = new TemporaryDirectory(purpose);
        Root = _directory.Combine("repo");
        Directory.CreateDirectory(Root);
        Git("init", "-q", "-b", "main");
        Git("config", "user.email", "tests@buildmlops.dev");
        Git("config", "user.name", "BuildMlops tests");
        File.WriteAllText(Path.Combine(Root, ".gitignore"), "bin/\nobj/\n");
    }

    private GitRepository(TemporaryDirectory directory, string root)
    {
        _directory = directory;
        Root = root;
    }

    public string Root { get; }

    /// <summary>Variables for every mlops and dotnet process run here, e.g. AWS credentials; a clone inherits them.</summary>
    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);

    public string Scratch(string name) => _directory.Combine(name);

    /// <summary>Copies pipelines/<paramref name="pipeline"/> in, with its MlopsData pointing at <c>&lt;data&gt;.mlops</c>.</summary>
    public string AddPipeline(string pipeline, string dataFile)
    {
        var directory = Path.Combine(Root, pipeline);
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        File.Copy(RepoLayout.PipelineData(pipeline, dataFile), Path.Combine(directory, "data", dataFile));
        var project = File.ReadAllText(Path.Combine(RepoLayout.Pipelines, pipeline, pipeline + ".csproj"))
            .Replace(@"..\..\src\BuildMlops.Sdk\Sdk\", RepoLayout.SdkFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            .Replace($"data/{dataFile}\"", $"data/{dataFile}.mlops\"", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(directory, pipeline + ".csproj"), project);
        return directory;
    }

    public ProcessResult Git(params string[] arguments)
    {
        var result = ProcessRunner.Run("git", arguments, Root);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(" ", arguments)} failed: {result}");
        }

        return result;
    }

    public void CommitAll(string message)
    {
        Git("add", "-A");
        Git("commit", "-q", "-m", message);
    }

    /// <summary>A fresh clone beside this repository: what a teammate or a CI runner starts from.</summary>
    public GitRepository Clone(string name)
    {
        var target = _directory.Combine(name);
        ProcessRunner.Run("git", ["clone", "-q", Root, target], _directory.Path);
        var clone = new GitRepository(_directory, target);
        foreach (var (variable, value) in Environment)
        {
            clone.Environment[variable] = value;
        }

        return clone;
    }

    /// <summary>Runs the mlops CLI at the repository root.</summary>
    public ProcessResult Mlops(params string[] arguments) => MlopsIn(Root, arguments);

    /// <summary>Runs the mlops CLI in <paramref name="workingDirectory"/>.</summary>
    public ProcessResult MlopsIn(string workingDirectory, params string[] arguments) =>
        ProcessRunner.Dotnet(workingDirectory, [RepoLayout.MlopsDll, .. arguments], Environment);

    public ProcessResult Build(string projectDirectory, params string[] arguments) =>
        ProcessRunner.Dotnet(projectDirectory, ["build", "-nodeReuse:false", "-tl:off", "-nologo", .. arguments], Environment);

    public void Dispose()
    {
        if (_directory.Path.Length > 0 && Root.StartsWith(_directory.Path, StringComparison.Ordinal) && Root == _directory.Combine("repo"))
        {
            _directory.Dispose();
        }
    }
}
