using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.GitHub.Tests;

/// <summary>The sample event payloads and golden files, read from the source tree so that updating a golden file edits the one in git.</summary>
internal static class TestFiles
{
    public static string Folder => Path.Combine(RepoLayout.Root, "tests", "BuildMlops.GitHub.Tests");

    public static string EventPath(string name) => Path.Combine(Folder, "Events", name);

    public static string Event(string name) => File.ReadAllText(EventPath(name));

    /// <summary>
    /// Asserts that <paramref name="actual"/> equals Golden/<paramref name="name"/>. With BUILDMLOPS_UPDATE_GOLDEN=1 the
    /// file is written instead (and the test fails, so an update is never silent): review its diff like code.
    /// </summary>
    public static void AssertGolden(string name, string actual)
    {
        var path = Path.Combine(Folder, "Golden", name);
        if (Environment.GetEnvironmentVariable("BUILDMLOPS_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            Assert.Fail($"{path} written; review it with git diff and run again without BUILDMLOPS_UPDATE_GOLDEN");
        }

        Assert.That(File.Exists(path), Is.True, $"{path} is missing; write it with BUILDMLOPS_UPDATE_GOLDEN=1 and review it");
        Assert.That(actual, Is.EqualTo(File.ReadAllText(path)), $"the Markdown differs from {path}; if the change is meant, rewrite it with BUILDMLOPS_UPDATE_GOLDEN=1 and review the diff");
    }
}
