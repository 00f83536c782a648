// Running the test suite: the same `dotnet test` command .ci/run uses.

// Projects of the solution under tests/, as `dotnet sln list` reports them.
IReadOnlyList<string> TestProjectsInSolution()
{
    return DotNetSlnList(solutionFile)
        .Where(path => path.Replace('\\', '/').StartsWith("tests/", StringComparison.OrdinalIgnoreCase))
        .ToList();
}

// Returns false (and says why) when there is nothing to test yet; throws on a project that
// exists under tests/ but is missing from the solution, because `dotnet test` would skip it silently.
bool HasTestsToRun()
{
    var inSolution = TestProjectsInSolution();
    // tests/Benchmarks holds the peers benchmarks compare against, not tests: it stays out of the solution.
    var onDisk = GetFiles(repoRoot.Combine("tests").FullPath + "/**/*.csproj")
        .Select(file => repoRoot.GetRelativePath(file).FullPath)
        .Where(path => !path.StartsWith("tests/Benchmarks/", StringComparison.OrdinalIgnoreCase))
        .ToList();
    var missing = onDisk
        .Where(path => !inSolution.Any(p => string.Equals(p.Replace('\\', '/'), path, StringComparison.OrdinalIgnoreCase)))
        .ToList();
    if (missing.Count > 0)
    {
        throw new Exception(
            $"Test projects not in {solutionFile.GetFilename()}: {string.Join(", ", missing)}. " +
            $"Add them with `dotnet sln {solutionFile.GetFilename()} add <project>`, or .ci/run and Test never run them.");
    }
    if (inSolution.Count == 0)
    {
        Warning("No test projects under tests/ in {0}: nothing to test.", solutionFile.GetFilename());
        return false;
    }
    Information("Test projects: {0}", string.Join(", ", inSolution));
    return true;
}

// dotnet test BuildMlops.sln -c <configuration> --no-build --logger trx --results-directory artifacts/test-results,
// after the Build target: test projects built in parallel would re-stage the SDK's tools while
// another project's tests use them. A failing test makes dotnet test exit non-zero, which DotNetTest
// turns into a failed task.
void RunTests()
{
    try
    {
        DotNetTest(solutionFile.FullPath, new DotNetTestSettings
        {
            Configuration = configuration,
            NoBuild = true,
            Loggers = new[] { "trx" },
            ResultsDirectory = testResultsDir,
        });
    }
    catch (CakeException ex)
    {
        throw new CakeException(
            $"dotnet test failed (a failing test, or a build error above): {ex.Message} " +
            $"Results: {repoRoot.GetRelativePath(testResultsDir)}/*.trx", ex);
    }
}
