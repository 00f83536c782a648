namespace BuildMlops.Pipeline;

/// <summary>Says, in words, how a step's dependencies differ from those recorded in the lock file.</summary>
public static class ChangeDescriber
{
    private const int MaxReasons = 4;

    public static List<string> Describe(IReadOnlyDictionary<string, string> recorded, IReadOnlyDictionary<string, string> current)
    {
        var reasons = new List<string>();
        foreach (var (name, value) in current)
        {
            if (!recorded.TryGetValue(name, out var previous))
            {
                reasons.Add($"{Label(name)} is new");
            }
            else if (previous != value)
            {
                reasons.Add(Changed(name, previous, value));
            }
        }

        reasons.AddRange(recorded.Keys.Where(name => !current.ContainsKey(name)).Select(name => $"{Label(name)} was removed"));
        if (reasons.Count > MaxReasons)
        {
            var more = reasons.Count - MaxReasons;
            reasons = [.. reasons.Take(MaxReasons), $"{more} more change{(more == 1 ? "" : "s")}"];
        }

        return reasons;
    }

    private static string Changed(string name, string previous, string value)
    {
        var kind = name[..name.IndexOf(':', StringComparison.Ordinal)];
        return kind is "data" or "in"
            ? $"{Label(name)} changed ({Short(previous)} -> {Short(value)})"
            : $"{Label(name)} changed from '{previous}' to '{value}'";
    }

    private static string Label(string name)
    {
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        var kind = name[..colon];
        var what = name[(colon + 1)..];
        return kind switch
        {
            "data" => "data " + what,
            "param" => what,
            "hyperparameter" => "hyperparameter " + what,
            "column" => "column setting " + what,
            "gate" => "gate " + what,
            "version" => what switch
            {
                "mlnet" => "ML.NET version",
                "runtime" => ".NET runtime version",
                "buildmlops" => "BuildMlops version",
                _ => what + " version",
            },
            "in" => "input " + what,
            _ => name,
        };
    }

    private static string Short(string hash) => HashData.ContentId.Abbreviate(hash);
}
