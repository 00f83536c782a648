using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.GitHub.Tests.Api;

/// <summary>
/// One Prism for every test in this namespace: it takes tens of seconds to read GitHub's API description, and keeps
/// no state between requests, so sharing it costs the tests nothing.
/// </summary>
[SetUpFixture]
public sealed class Prism
{
    private static GitHubApiServer? server;

    public static GitHubApiServer Server => server ?? throw new InvalidOperationException("Prism is started by the namespace's SetUpFixture");

    [OneTimeSetUp]
    public void StartPrism() => server = GitHubApiServer.Start();

    [OneTimeTearDown]
    public void StopPrism() => server?.Dispose();
}
