using BuildMlops.Diagnostics;
using Octokit;
using Octokit.Internal;

namespace BuildMlops.GitHub;

/// <summary>
/// Makes the Octokit client every publisher here uses: the run's token, the API base from <c>GITHUB_API_URL</c> (so
/// GitHub Enterprise Server works unchanged) and the user agent "BuildMlops".
/// </summary>
public static class GitHubClientFactory
{
    /// <summary>The product name in the User-Agent header, which GitHub requires and shows in audit logs.</summary>
    public const string UserAgent = "BuildMlops";

    /// <summary>
    /// A client for <paramref name="context"/>'s API with its token; BM9101 without a token. <paramref name="handler"/>
    /// replaces the HTTP handler (tests put a recording one in front of a mock server); by default Octokit's own.
    /// Either way JSON bodies go out labelled application/json (see <see cref="JsonContentTypeHandler"/>).
    /// </summary>
    public static IGitHubClient Create(GitHubContext context, HttpMessageHandler? handler = null)
    {
        if (context.Token is null)
        {
            throw new MlopsException(
                ErrorCodes.GitHubContextMissing,
                new SourceLocation("GITHUB_TOKEN"),
                "GITHUB_TOKEN is not set, and GitHub's API needs it to comment, create check runs and releases",
                "Pass the token to the step: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}");
        }

        var credentials = new InMemoryCredentialStore(new Credentials(context.Token));
        var http = new HttpClientAdapter(() => new JsonContentTypeHandler(handler ?? HttpMessageHandlerFactory.CreateDefault()));
        var connection = new Connection(new ProductHeaderValue(UserAgent), context.ApiUrl, credentials, http, new SimpleJsonSerializer());
        return new GitHubClient(connection);
    }
}
