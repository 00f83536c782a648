using Octokit;

namespace BuildMlops.GitHub;

/// <summary>
/// Publishes the "BuildMlops" check run on a commit: completed, with success or failure, the report as its output and
/// an annotation per failed gate. GitHub takes at most 50 annotations per request, so the first 50 go with the
/// creation and the rest in updates of 50, which GitHub appends to the run's annotations.
/// </summary>
public sealed class CheckRunPublisher(IGitHubClient client)
{
    /// <summary>The check run's name, which branch protection rules can require.</summary>
    public const string CheckName = "BuildMlops";

    /// <summary>GitHub's limit on annotations in one create or update request.</summary>
    public const int AnnotationsPerRequest = 50;

    /// <summary>Creates the check run on <paramref name="headSha"/> with <paramref name="content"/>; Octokit's exceptions pass through.</summary>
    public async Task<CheckRun> PublishAsync(string owner, string name, string headSha, CheckRunContent content, Uri? detailsUrl = null)
    {
        var batches = content.Annotations.Chunk(AnnotationsPerRequest).ToList();
        var conclusion = content.Success ? CheckConclusion.Success : CheckConclusion.Failure;
        var run = await client.Check.Run.Create(owner, name, new NewCheckRun(CheckName, headSha)
        {
            Status = CheckStatus.Completed,
            Conclusion = conclusion,
            DetailsUrl = detailsUrl?.ToString(),
            Output = Output(content, batches.FirstOrDefault()),
        });

        foreach (var batch in batches.Skip(1))
        {
            // Title and summary are required in every output; repeating them keeps the run's output as created.
            run = await client.Check.Run.Update(owner, name, run.Id, new CheckRunUpdate { Output = Output(content, batch) });
        }

        return run;
    }

    private static NewCheckRunOutput Output(CheckRunContent content, CheckAnnotation[]? annotations) =>
        new(content.Title, GitHubTextLimits.Fit(content.Summary, GitHubTextLimits.CheckRunOutput))
        {
            Text = content.Text is null ? null : GitHubTextLimits.Fit(content.Text, GitHubTextLimits.CheckRunOutput),
            Annotations = annotations?.Select(annotation => new NewCheckRunAnnotation(annotation.Path, annotation.Line, annotation.Line, CheckAnnotationLevel.Failure, annotation.Message)
            {
                Title = annotation.Title,
            }).ToList(),
        };
}
