namespace BuildMlops.GitHub;

/// <summary>Where this run's model came from: a reviewer wants to know whether the numbers are fresh.</summary>
public enum ModelOrigin
{
    /// <summary>Trained in this run: something it depends on changed and no run had trained it before.</summary>
    Trained,

    /// <summary>Restored from the run cache: a run elsewhere trained it from the same dependencies.</summary>
    Restored,

    /// <summary>Already up to date with mlops.lock.json: nothing ran.</summary>
    UpToDate,
}
