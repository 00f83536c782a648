namespace BuildMlops.Diagnostics;

/// <summary>
/// A problem the user can fix: it carries a BMnnnn code, where it is, what is wrong and what to do.
/// Everything that reaches a user as an error is one of these; anything else is a bug (BM9001).
/// </summary>
public sealed class MlopsException : Exception
{
    public MlopsException(string code, SourceLocation location, string message, string? help = null)
        : base(message)
    {
        Code = code;
        Location = location;
        Help = help;
    }

    public string Code { get; }
    public SourceLocation Location { get; }

    /// <summary>What the user should do about it, in one sentence.</summary>
    public string? Help { get; }

    /// <summary>Message and advice as one line.</summary>
    public string FullMessage => Help is null ? Message : $"{Message}. {Help}";

    /// <summary>
    /// <c>file(line,col): error BMnnnn: message</c>: the form MSBuild's ToolTask and every IDE parse.
    /// </summary>
    public string ToCanonicalString() =>
        Location.File.Contains("://", StringComparison.Ordinal)
            ? $"mlops : error {Code}: {Location.File}: {FullMessage}" // a url is no file origin MSBuild can parse
            : $"{Location}: error {Code}: {FullMessage}";
}
