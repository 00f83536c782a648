namespace BuildMlops.GitHub.Tests;

/// <summary>Reports shaped like the example pipelines' (churn: binary, concrete: regression), for the golden files and the API tests.</summary>
internal static class SampleReports
{
    public const string HeadSha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";

    /// <summary>churn fails its auc gate after a seed and data change; concrete passes, restored from the run cache.</summary>
    public static PrReport OneGateFailed() => new([Churn(), Concrete()])
    {
        CommitSha = HeadSha,
        RunUrl = new Uri("https://github.com/acme/models/actions/runs/7140"),
    };

    /// <summary>Every gate passes.</summary>
    public static PrReport AllPassed() => new([Concrete()]) { CommitSha = HeadSha };

    /// <summary>The first model of a repository: nothing registered, so no production column, no changes and no chart.</summary>
    public static PrReport FirstModel() => new(
    [
        new PipelineReport("churn", "pipelines/churn/churn.csproj", ModelOrigin.UpToDate,
        [
            new MetricRow("auc", null, 0.842654553151305, GateVerdict.Pass) { Gate = "≥ 0.83", GateLine = 14 },
            new MetricRow("auc", null, 0.842654553151305, GateVerdict.NoBaseline) { Gate = "≥ production - 0.01", GateLine = 15 },
            new MetricRow("log_loss", null, null, GateVerdict.NotGated),
        ]),
    ]);

    /// <summary>A report with <paramref name="failures"/> failed gates in one pipeline, to exceed the 50 annotations a request takes.</summary>
    public static PrReport ManyFailures(int failures, string projectPath) => new(
    [
        new PipelineReport("wide", projectPath, ModelOrigin.Trained,
            Enumerable.Range(1, failures).Select(i => new MetricRow($"metric_{i:000}", 0.9, 0.5, GateVerdict.Fail) { Gate = "≥ 0.8", GateLine = 10 + i }).ToList()),
    ])
    { CommitSha = HeadSha };

    private static PipelineReport Churn() => new("churn", "pipelines/churn/churn.csproj", ModelOrigin.Trained,
    [
        new MetricRow("auc", 0.842654553151305, 0.834712, GateVerdict.Fail) { IntervalLow = 0.8212, IntervalHigh = 0.8479, Gate = "≥ 0.85", GateLine = 14, GateMessage = "gate failed: auc 0.8347 < 0.85 (project churn)" },
        new MetricRow("accuracy", 0.8119233498935415, 0.788502, GateVerdict.Pass) { IntervalLow = 0.7671, IntervalHigh = 0.8099, Gate = "≥ 0.78", GateLine = 15 },
        new MetricRow("f1", 0.5978755690440061, 0.568113, GateVerdict.NotGated),
        new MetricRow("log_loss", 0.4115030288911639, 0.43851, GateVerdict.NotGated),
    ])
    {
        ProductionVersion = "v3",
        DataChanges = [new ReportChange("data/wa_churn.csv", "d4323faeaab5", "658c2cedd1c5")],
        ParameterChanges =
        [
            new ReportChange("MlopsSeed", "42", "7"),
            new ReportChange("NumberOfTrees", null, "200") { Kind = "hyperparameter" },
            new ReportChange("customerID", "type=inferred;ignore=true", null) { Kind = "column setting" },
        ],
        History =
        [
            new HistoryPoint("v1", new Dictionary<string, double?> { ["auc"] = 0.8301, ["accuracy"] = 0.7992 }),
            new HistoryPoint("v2", new Dictionary<string, double?> { ["auc"] = 0.8390 }),
            new HistoryPoint("v3", new Dictionary<string, double?> { ["auc"] = 0.842654553151305, ["accuracy"] = 0.8119233498935415 }),
        ],
    };

    private static PipelineReport Concrete() => new("concrete", "pipelines/concrete/concrete.csproj", ModelOrigin.Restored,
    [
        new MetricRow("r2", 0.9012, 0.9012, GateVerdict.Pass) { Gate = "≥ 0.88", GateLine = 12 },
        new MetricRow("rmse", 5.4321, 5.4321, GateVerdict.Pass) { Gate = "≤ 6.5", GateLine = 13 },
        new MetricRow("mae", 3.9876, 3.9876, GateVerdict.NotGated),
    ])
    {
        ProductionVersion = "v7",
        History =
        [
            new HistoryPoint("v6", new Dictionary<string, double?> { ["r2"] = 0.8954, ["rmse"] = 5.61 }),
            new HistoryPoint("v7", new Dictionary<string, double?> { ["r2"] = 0.9012, ["rmse"] = 5.4321 }),
        ],
    };
}
