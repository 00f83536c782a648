using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// Each kind of bad input gives one clear BMnnnn error naming the file, a non-zero exit code, and
/// leaves no output behind, finished or half-written.
/// </summary>
[TestFixture]
public sealed class BadInputTests
{
    [Test]
    public void GivenAMissingDataFile_WhenBuilt_ThenBM1001NamesTheItem()
    {
        using var churn = new PipelineWorkspace("churn", withLockFile: false);
        File.Delete(churn.Data("wa_churn.csv"));

        var build = churn.Build();

        AssertRejected(churn, build, "BM1001", $"{churn.ProjectFile}(13,");
        Assert.That(build.StandardOutput, Does.Contain("data file 'data/wa_churn.csv' does not exist"));
    }

    [Test]
    public void GivenAMissingLabelColumn_WhenBuilt_ThenBM1003ListsTheColumns()
    {
        using var churn = new PipelineWorkspace("churn", withLockFile: false);
        churn.EditProject("<MlopsLabel>churn</MlopsLabel>", "<MlopsLabel>churned</MlopsLabel>");

        var build = churn.Build();

        AssertRejected(churn, build, "BM1003", churn.Data("wa_churn.csv") + "(1,1)");
        Assert.That(build.StandardOutput, Does.Contain("label column 'churned' is not in 'data/wa_churn.csv' (columns: churn, female,"));
    }

    [Test]
    public void GivenTextInANumericColumn_WhenBuilt_ThenBM1004PointsAtTheCell()
    {
        using var churn = new PipelineWorkspace("churn", withLockFile: false);
        var lines = File.ReadAllLines(churn.Data("wa_churn.csv"));
        var fields = lines[99].Split(',');
        fields[5] = "twelve"; // tenure, on line 100
        lines[99] = string.Join(",", fields);
        File.WriteAllLines(churn.Data("wa_churn.csv"), lines);

        var build = churn.Build();

        AssertRejected(churn, build, "BM1004", churn.Data("wa_churn.csv") + "(100,1)");
        Assert.That(build.StandardOutput, Does.Contain("column 'tenure' is numeric (7042 of its 7043 values are numbers) but line 100, column 6 has the text 'twelve'"));
    }

    [Test]
    public void GivenAnEmptyDataFile_WhenBuilt_ThenBM1002()
    {
        using var churn = new PipelineWorkspace("churn", withLockFile: false);
        File.WriteAllText(churn.Data("wa_churn.csv"), "");

        var build = churn.Build();

        AssertRejected(churn, build, "BM1002", churn.Data("wa_churn.csv"));
        Assert.That(build.StandardOutput, Does.Contain("data file 'data/wa_churn.csv' is empty"));
    }

    [Test]
    public void GivenAnUnknownTrainer_WhenBuilt_ThenBM1101ListsTheTrainers()
    {
        using var churn = new PipelineWorkspace("churn", withLockFile: false);
        churn.EditProject("<MlopsTask>binary</MlopsTask>", "<MlopsTask>binary</MlopsTask>\n    <MlopsTrainer>RandomForest</MlopsTrainer>");

        var build = churn.Build();

        AssertRejected(churn, build, "BM1101", $"{churn.ProjectFile}(8,5)");
        Assert.That(build.StandardOutput, Does.Contain("unknown trainer 'RandomForest' for a binary model. Set MlopsTrainer to one of: FastTree, FastForest, LightGbm, SdcaLogisticRegression, LbfgsLogisticRegression"));
    }

    [Test]
    public void GivenAnUnknownMetricInAGate_WhenBuilt_ThenBM2002ListsTheMetrics()
    {
        using var churn = new PipelineWorkspace("churn", withLockFile: false);
        churn.EditProject("<MlopsGate Include=\"auc\" Min=\"0.83\" />", "<MlopsGate Include=\"rocauc\" Min=\"0.83\" />");

        var build = churn.Build();

        AssertRejected(churn, build, "BM2002", $"{churn.ProjectFile}(14,");
        Assert.That(build.StandardOutput, Does.Contain("unknown metric 'rocauc' in a gate of a binary model. Gate on one of: auc, accuracy, f1, precision, recall, log_loss"));
    }

    [Test]
    public void GivenAnUnknownHyperparameter_WhenBuilt_ThenBM1102ListsTheTrainersOptions()
    {
        using var churn = new PipelineWorkspace("churn", withLockFile: false);
        churn.EditProject("<MlopsData Include=\"data/wa_churn.csv\" />", "<MlopsData Include=\"data/wa_churn.csv\" />\n    <MlopsHyperparameter Include=\"NumTrees\" Value=\"50\" />");

        var build = churn.Build();

        AssertRejected(churn, build, "BM1102", $"{churn.ProjectFile}(14,");
        Assert.That(build.StandardOutput, Does.Contain("trainer FastTree has no hyperparameter 'NumTrees'. Use one of:"));
        Assert.That(build.StandardOutput, Does.Contain("NumberOfTrees"));
    }

    private static void AssertRejected(PipelineWorkspace workspace, ProcessResult build, string code, string location)
    {
        Assert.That(build.ExitCode, Is.Not.Zero, build.ToString());
        Assert.That(BuildOutput.ErrorCodes(build), Is.EqualTo(new[] { code }), build.ToString());
        Assert.That(build.StandardOutput, Does.Contain(location), build.ToString());
        var outputs = Path.Combine(workspace.Directory, "bin", "mlops");
        var left = Directory.Exists(outputs) ? Directory.GetFiles(outputs, "*", SearchOption.AllDirectories) : [];
        Assert.That(left.Where(file => !file.EndsWith("schema.json", StringComparison.Ordinal)), Is.Empty, "no model, metrics or temporary file is left behind");
        Assert.That(File.Exists(workspace.Output("model.zip")), Is.False);
    }
}
