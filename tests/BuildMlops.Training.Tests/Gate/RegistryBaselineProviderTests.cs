using BuildMlops.Gate;
using BuildMlops.HashData;
using BuildMlops.Pipeline;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Training.Tests.Gate;

/// <summary>
/// Scoring a baseline (the registry's production model) on the current data with real ML.NET: the data a pull request
/// brings may have lost a column the baseline was trained on, which must be said plainly rather than crash the gate.
/// The model is placed where the provider keeps downloaded versions, so no registry is needed.
/// </summary>
public sealed class RegistryBaselineProviderTests
{
    [Test]
    public void GivenABaselineTrainedOnTheData_WhenScored_ThenItWritesPredictionsForTheTestSplit()
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("concrete", "concrete.csv"), "compressive_strength", "regression");
        workspace.RunThrough(StepName.Evaluate);
        var baseline = PlaceAsBaseline(workspace);
        var predictions = Path.Combine(Path.GetDirectoryName(baseline.Directory)!, "production.predictions.csv");

        new RegistryBaselineProvider(workspace.Log).Score(workspace.Spec, baseline, predictions);

        Assert.That(File.ReadAllText(predictions), Is.EqualTo(File.ReadAllText(workspace.Output(StepOutputs.Predictions))), "the same model on the same split predicts the same");
    }

    [Test]
    public void GivenDataThatLostAColumnTheBaselineNeeds_WhenScored_ThenBaselineNotScorableNamesTheColumn()
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("concrete", "concrete.csv"), "compressive_strength", "regression");
        workspace.RunThrough(StepName.Evaluate);
        var baseline = PlaceAsBaseline(workspace);
        // The pull request's data: the same rows without the age column (the first column is cement, the last the label).
        var rows = File.ReadAllLines(workspace.DataFile).Select(line => string.Join(",", line.Split(',').Where((_, column) => column != 7)));
        File.WriteAllLines(workspace.DataFile, rows);

        var error = Assert.Throws<BaselineNotScorableException>(() =>
            new RegistryBaselineProvider(workspace.Log).Score(workspace.Spec, baseline, Path.Combine(baseline.Directory, "scored.csv")))!;

        Assert.That(error.Reason, Is.EqualTo("column 'age' is missing (ML.NET says: Could not find input column 'age')"));
    }

    [Test]
    public void GivenDataWhereAColumnTheBaselineNeedsBecameText_WhenScored_ThenBaselineNotScorableNamesTheColumn()
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("concrete", "concrete.csv"), "compressive_strength", "regression");
        workspace.RunThrough(StepName.Evaluate);
        var baseline = PlaceAsBaseline(workspace);
        // The pull request's data: age written with its unit, so the column is text now.
        var rows = File.ReadAllLines(workspace.DataFile).Select((line, index) => index == 0 ? line : string.Join(",", line.Split(',').Select((cell, column) => column == 7 ? cell + " days" : cell)));
        File.WriteAllLines(workspace.DataFile, rows);

        var error = Assert.Throws<BaselineNotScorableException>(() =>
            new RegistryBaselineProvider(workspace.Log).Score(workspace.Spec, baseline, Path.Combine(baseline.Directory, "scored.csv")))!;

        Assert.That(error.Reason, Does.StartWith("column 'age' is String here, Single in the data it was trained on (ML.NET says: "));
    }

    /// <summary>The workspace's model.zip as version 1 of 'production', already downloaded and verified.</summary>
    private static BaselineModel PlaceAsBaseline(StepWorkspace workspace)
    {
        var directory = Path.Combine(workspace.Spec.IntermediateDirectory, "baseline", "model-v1");
        Directory.CreateDirectory(directory);
        var model = Path.Combine(directory, StepOutputs.Model);
        File.Copy(workspace.Output(StepOutputs.Model), model);
        return new BaselineModel("production", "1", ContentHash.OfFile(model), directory);
    }
}
