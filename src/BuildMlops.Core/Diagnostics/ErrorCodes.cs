namespace BuildMlops.Diagnostics;

/// <summary>
/// Every error BuildMlops reports has one of these codes. docs/errors.md describes each one; keep the
/// two in step. 1xxx: the project or its data is wrong; 2xxx: a gate; 3xxx: reproducibility; 4xxx: the CLI;
/// 5xxx: data versioning and remotes; 6xxx: serving; 9xxx: a bug.
/// </summary>
public static class ErrorCodes
{
    public const string DataFileMissing = "BM1001";
    public const string DataFileEmpty = "BM1002";
    public const string LabelColumnMissing = "BM1003";
    public const string TextInNumericColumn = "BM1004";
    public const string MalformedCsv = "BM1005";
    public const string FeatureColumnMissing = "BM1006";
    public const string LabelNotBinary = "BM1007";
    public const string MissingValuesRejected = "BM1008";
    public const string DataFilesDisagree = "BM1009";
    public const string ReservedColumnName = "BM1010";
    public const string NoDataDeclared = "BM1011";
    public const string TooFewRows = "BM1012";

    /// <summary>A warning: rows without a label are left out.</summary>
    public const string RowsWithoutLabel = "BM1013";
    public const string UnknownTrainer = "BM1101";
    public const string BadHyperparameter = "BM1102";
    public const string BadProperty = "BM1103";

    /// <summary>A warning: the trainer runs on one thread despite MlopsThreads, to stay deterministic.</summary>
    public const string TrainerSingleThreaded = "BM1104";
    public const string GateFailed = "BM2001";
    public const string UnknownGateMetric = "BM2002";
    public const string BadGate = "BM2003";

    /// <summary>A warning: a baseline gate could not compare fairly (too few test rows held out from both models), so it passed.</summary>
    public const string BaselineNotComparable = "BM2004";
    public const string NotReproduced = "BM3001";
    public const string BadLockFile = "BM3002";
    public const string BadMetricsFile = "BM3003";
    public const string ProjectNotFound = "BM4001";
    public const string SpecUnavailable = "BM4002";
    public const string MalformedPointer = "BM5001";
    public const string PointerOutsideRepository = "BM5002";
    public const string ObjectMissing = "BM5003";
    public const string RemoteObjectCorrupt = "BM5004";
    public const string RemoteAccessDenied = "BM5005";
    public const string RemoteUnreachable = "BM5006";
    public const string BadRemote = "BM5007";
    public const string CacheObjectCorrupt = "BM5008";
    public const string DataDiffersFromPointer = "BM5009";
    public const string LockTimeout = "BM5010";
    public const string BadConfig = "BM5011";
    public const string DataPathInvalid = "BM5012";
    /// <summary>The model directory cannot be served: a file is missing or unreadable, or schema.json does not describe model.zip.</summary>
    public const string ModelNotServable = "BM6001";

    /// <summary>A serving option (command line or environment) has a bad value.</summary>
    public const string BadServingOption = "BM6002";

    /// <summary>An image setting (name, tag, base, registry, label) is not valid.</summary>
    public const string BadImageSetting = "BM7001";

    /// <summary>The base image cannot be pulled: not found, or no manifest for the platform.</summary>
    public const string BaseImageUnavailable = "BM7002";

    /// <summary>A registry refused the credentials, or none were found for it.</summary>
    public const string RegistryAccessDenied = "BM7003";

    /// <summary>A registry cannot be reached (DNS, connection, TLS) or timed out.</summary>
    public const string RegistryUnreachable = "BM7004";

    /// <summary>A registry sent bytes or a Docker-Content-Digest that do not match the digest asked for or pushed.</summary>
    public const string RegistryDigestMismatch = "BM7005";

    /// <summary>A registry answered in a way the OCI distribution spec does not allow.</summary>
    public const string RegistryProtocolError = "BM7006";

    /// <summary>No fixed image time: neither SOURCE_DATE_EPOCH nor a git commit.</summary>
    public const string NoImageTimestamp = "BM7007";

    /// <summary>The image to push or load has not been packaged (no OCI layout).</summary>
    public const string ImageNotPackaged = "BM7008";

    /// <summary>No Docker-compatible engine is reachable (DOCKER_HOST or the default socket).</summary>
    public const string DockerEngineUnavailable = "BM7009";

    /// <summary>The image, run in the engine, did not answer /health or /predict as it should.</summary>
    public const string SmokeTestFailed = "BM7010";

    /// <summary>The model registry has no model of that name.</summary>
    public const string ModelNotRegistered = "BM8001";

    /// <summary>The model has no such version: never registered, or claimed but never completed.</summary>
    public const string ModelVersionNotFound = "BM8002";

    /// <summary>The model has no such alias.</summary>
    public const string ModelAliasNotFound = "BM8003";

    /// <summary>A registry entry is damaged: unreadable JSON, or a file whose bytes differ from the recorded hash.</summary>
    public const string RegistryEntryCorrupt = "BM8004";

    /// <summary>An alias move was refused: the version's gates failed (without --force and a reason), or there is nothing to roll back to.</summary>
    public const string AliasMoveRefused = "BM8005";

    /// <summary>A project's outputs cannot be registered: missing, or not what its lock file records.</summary>
    public const string NotRegistrable = "BM8006";

    /// <summary>A warning: the S3-compatible server ignores conditional writes, so concurrent registry writes are only best-effort.</summary>
    public const string ConditionalWritesIgnored = "BM8007";

    /// <summary>Another writer changed the registry at the same moment and this write lost, or kept losing, the race.</summary>
    public const string RegistryConflict = "BM8008";

    /// <summary>A model name, alias or version given to the registry is not valid.</summary>
    public const string BadRegistryName = "BM8009";

    // ---- BM91xx: the GitHub side of CI (BuildMlops.GitHub). Its own block, right before Internal, so that a
    // merge with codes appended after BM7010 on another branch keeps both blocks. Not bugs, despite the 9xxx
    // range: they report the CI environment and GitHub's answers.

    /// <summary>The GitHub Actions context is missing or unusable: a required GITHUB_* variable, the event file, or the step summary file.</summary>
    public const string GitHubContextMissing = "BM9101";

    /// <summary>The event file at GITHUB_EVENT_PATH is not JSON, or lacks what the event must carry (a pull request's number and head sha).</summary>
    public const string GitHubEventInvalid = "BM9102";

    /// <summary>GitHub's API refused a request or could not be reached (anything but the read-only token of a fork's pull request).</summary>
    public const string GitHubApiFailed = "BM9103";

    /// <summary>A warning: the token may not write (a pull request from a fork); the report is only in the step summary.</summary>
    public const string GitHubTokenReadOnly = "BM9104";

    /// <summary>A file to attach to a release is missing or unreadable.</summary>
    public const string ReleaseAssetUnreadable = "BM9105";

    /// <summary>mlops ci init would overwrite a file that differs from BuildMlops's (without --force).</summary>
    public const string ScaffoldFileExists = "BM9106";

    // ---- end of BM91xx

    public const string Internal = "BM9001";
}
