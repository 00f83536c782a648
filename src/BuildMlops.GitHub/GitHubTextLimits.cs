namespace BuildMlops.GitHub;

/// <summary>
/// The sizes GitHub rejects text beyond (422): a comment's body and a check run's summary and text. A report over
/// them is cut with a note, since a shortened report beats a failed call.
/// </summary>
public static class GitHubTextLimits
{
    /// <summary>An issue or pull request comment's body, in characters.</summary>
    public const int CommentBody = 65536;

    /// <summary>A check run output's <c>summary</c> and <c>text</c>, each, in characters.</summary>
    public const int CheckRunOutput = 65535;

    private const string CutNote = "\n\n*… cut to fit GitHub's size limit: the whole report is in the workflow run's summary.*\n";

    /// <summary><paramref name="text"/> unchanged when it fits, else its start and a note saying where the rest is.</summary>
    public static string Fit(string text, int limit)
    {
        if (text.Length <= limit)
        {
            return text;
        }

        var keep = limit - CutNote.Length;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--; // never split an emoji's surrogate pair
        }

        return text[..keep] + CutNote;
    }
}
