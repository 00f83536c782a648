using System.Net;
using BuildMlops.Diagnostics;
using Octokit;

namespace BuildMlops.GitHub;

/// <summary>
/// Turns what Octokit throws into BM9103, with GitHub's own message and what to do about the status. Nothing from
/// the request's headers goes into it, so the token cannot leak through an error.
/// </summary>
public static class GitHubApiErrors
{
    /// <summary>Whether <paramref name="exception"/> is one <see cref="Wrap"/> knows how to describe.</summary>
    public static bool IsApiFailure(Exception exception) =>
        exception is ApiException or HttpRequestException or TaskCanceledException;

    /// <summary>BM9103 for <paramref name="exception"/>, which happened while doing <paramref name="action"/> (e.g. "creating the check run").</summary>
    public static MlopsException Wrap(Exception exception, string action, Uri apiUrl)
    {
        var where = new SourceLocation(apiUrl.GetLeftPart(UriPartial.Path));
        if (exception is not ApiException api)
        {
            var reason = exception is TaskCanceledException ? "it did not answer in time" : exception.Message;
            return new MlopsException(
                ErrorCodes.GitHubApiFailed,
                where,
                $"GitHub's API at {where.File} cannot be reached {action}: {reason}",
                "Check GITHUB_API_URL (the runner sets it; on GitHub Enterprise Server it is https://HOST/api/v3) and the network, then run again");
        }

        var status = (int)api.StatusCode;
        var message = string.IsNullOrWhiteSpace(api.ApiError?.Message) ? api.Message : api.ApiError.Message;
        var details = api.ApiError?.Errors is { Count: > 0 } errors
            ? " (" + string.Join("; ", errors.Select(Describe)) + ")"
            : "";
        var help = api switch
        {
            RateLimitExceededException or SecondaryRateLimitExceededException => "GitHub's rate limit was hit; run again later, or spread the jobs that call the API",
            AuthorizationException => "GITHUB_TOKEN is missing, expired or not a token: pass it to the step (env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }})",
            ForbiddenException => "The token may not do this: grant the job the permissions docs/github.md lists (pull-requests: write, checks: write; contents: write for releases)",
            NotFoundException => "The repository or the object does not exist, or the token cannot see it (GitHub answers 404 rather than 403 for what a token may not read)",
            _ when api.StatusCode == HttpStatusCode.UnprocessableEntity => "GitHub rejected what was sent; its message says which field",
            _ when status >= 500 => "GitHub is failing; run again later",
            _ => "GitHub's message says why",
        };
        return new MlopsException(ErrorCodes.GitHubApiFailed, where, $"GitHub's API refused {action}: {status} {message}{details}", help);
    }

    /// <summary>One of a 422's errors: <c>body: body is too long …</c>, or <c>body missing_field</c> when GitHub gave no message.</summary>
    private static string Describe(ApiErrorDetail error) =>
        (error.Field, error.Message) switch
        {
            ({ Length: > 0 } field, { Length: > 0 } text) => $"{field}: {text}",
            (_, { Length: > 0 } text) => text,
            ({ Length: > 0 } field, _) => $"{field} {error.Code}",
            _ => error.Code ?? "invalid",
        };
}
