using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace BuildMlops.Testing;

/// <summary>
/// GitHub's REST API as GitHub describes it, for tests: Stoplight Prism (npm <c>@stoplight/prism-cli</c>) running
/// <c>prism mock --errors</c> over <c>@octokit/openapi</c>'s <c>api.github.com.json</c> on 127.0.0.1, on a port the
/// system picks. With <c>--errors</c> a request that breaks the description (unknown path, wrong method, missing or
/// mistyped body field, bad content type) is answered 4xx (422 with the violations in the body and the
/// <c>sl-violations</c> header) instead of being tolerated; a valid one gets the description's example response. Prism
/// keeps no state, so tests check what was sent and that Prism accepted it. <c>Prefer: code=404</c> (or
/// <c>example=NAME</c>) on a request picks another of the operation's documented responses. Both packages come from
/// <c>npm ci --prefix tests/servers</c>; when they or node are missing, <see cref="Start"/> throws with what to run,
/// so the tests fail rather than skip. Killed on dispose.
/// </summary>
public sealed partial class GitHubApiServer : IDisposable
{
    /// <summary>Parsing the 13 MB description takes Prism about 40 s on an idle core; the cores here are shared.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private readonly ListeningProcess process;

    private GitHubApiServer(ListeningProcess process) => this.process = process;

    /// <summary>Prism's command line entry, as <c>npm ci --prefix tests/servers</c> installs it.</summary>
    public static string PrismPath => Path.Combine(ServersFolder, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");

    /// <summary>GitHub's description of api.github.com (OpenAPI 3.0), as <c>@octokit/openapi</c> ships it.</summary>
    public static string DescriptionPath => Path.Combine(ServersFolder, "node_modules", "@octokit", "openapi", "generated", "api.github.com.json");

    /// <summary>What to run to make <see cref="Start"/> work on this machine.</summary>
    public static string InstallHint => $"install it with 'npm ci --prefix tests/servers' in {RepoLayout.Root} (CI's .ci/run does this)";

    private static string ServersFolder => Path.Combine(RepoLayout.Root, "tests", "servers");

    public int Port => process.Port;

    /// <summary><c>http://127.0.0.1:port/</c>: the API's root, where api.github.com's paths are served.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Prism's log so far (one line per request, with any violation it found), for a failing test's message.</summary>
    public string Output => process.Output;

    /// <summary>Starts Prism and waits until it listens, which takes tens of seconds: start one per test run.</summary>
    public static GitHubApiServer Start()
    {
        foreach (var (path, what) in new[] { (PrismPath, "@stoplight/prism-cli"), (DescriptionPath, "@octokit/openapi") })
        {
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"{what} is not installed ({path} is missing): {InstallHint}");
            }
        }

        var start = new ProcessStartInfo("node") { WorkingDirectory = ServersFolder };
        foreach (var argument in new[] { PrismPath, "mock", "--host", "127.0.0.1", "--port", "0", "--errors", DescriptionPath })
        {
            start.ArgumentList.Add(argument);
        }

        // Prism announces the port only once its server accepts connections: no further wait is needed.
        return new GitHubApiServer(ListeningProcess.Start("prism", start, ListeningLine(), StartTimeout, $"install Node.js (apt-get install nodejs), then {InstallHint}"));
    }

    public void Dispose() => process.Dispose();

    [GeneratedRegex(@"Prism is listening on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
