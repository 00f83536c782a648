namespace BuildMlops.GitHub;

/// <summary>What a metric's gate said about this pull request's model.</summary>
public enum GateVerdict
{
    /// <summary>The metric has no gate: shown for information only.</summary>
    NotGated,

    /// <summary>Every gate on the metric passed.</summary>
    Pass,

    /// <summary>A gate on the metric failed: the check run fails and the project file gets an annotation.</summary>
    Fail,

    /// <summary>The gate compares with production and there is no production version yet (the first model), so it was not checked.</summary>
    NoBaseline,
}
