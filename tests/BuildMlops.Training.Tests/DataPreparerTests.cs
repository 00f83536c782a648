using System.Text.Json;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Testing;
using BuildMlops.ValidateData;
using NUnit.Framework;

namespace BuildMlops.Training.Tests;

/// <summary>Validation on the real data sets, with their real mess.</summary>
[TestFixture]
public sealed class DataPreparerTests
{
    [Test]
    public void GivenCreditData_WhenValidated_ThenEveryNaCellIsCountedAsMissing()
    {
        var path = RepoLayout.PipelineData("credit", "credit_data.csv");
        var records = File.ReadLines(path).Skip(1).Select(line => line.Split(',')).ToList();
        var naCells = records.Sum(fields => fields.Count(cell => cell == "NA"));
        using var workspace = new StepWorkspace(path, "Status", "binary", new Dictionary<string, string> { ["MlopsPositiveClass"] = "bad" });

        var (data, profile) = DataPreparer.Prepare(workspace.Spec, workspace.Log);

        Assert.That(records.Count(fields => fields.Contains("NA")), Is.EqualTo(415), "the data README's 415 counts rows with an NA; they hold 455 NA cells");
        Assert.That(profile.Columns.Sum(column => column.Missing), Is.EqualTo(naCells));
        Assert.That(data.Count, Is.EqualTo(4454));
        Assert.That(profile.Columns.Single(column => column.Name == "Home").Type, Is.EqualTo("text"));
        Assert.That(profile.Columns.Single(column => column.Name == "Income").Type, Is.EqualTo("numeric"));
        Assert.That(data.BinaryLabels.Count(label => label), Is.EqualTo(profile.LabelCounts["bad"]));
    }

    [Test]
    public void GivenChurnData_WhenValidated_ThenSchemaJsonDescribesTypesAndLabelBalance()
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("churn", "wa_churn.csv"), "churn", "binary", new Dictionary<string, string> { ["MlopsPositiveClass"] = "Yes" });

        workspace.RunThrough(StepName.ValidateData);

        var schema = JsonDocument.Parse(File.ReadAllText(workspace.Output("schema.json"))).RootElement;
        Assert.That(schema.GetProperty("rows").GetInt32(), Is.EqualTo(7043));
        var counts = schema.GetProperty("label").GetProperty("counts");
        Assert.That(counts.GetProperty("Yes").GetInt32() + counts.GetProperty("No").GetInt32(), Is.EqualTo(7043));
        var totalCharges = schema.GetProperty("columns").EnumerateArray().Single(column => column.GetProperty("name").GetString() == "total_charges");
        Assert.That(totalCharges.GetProperty("type").GetString(), Is.EqualTo("numeric"));
        Assert.That(totalCharges.GetProperty("missing").GetInt32(), Is.EqualTo(11));
    }

    [Test]
    public void GivenMissingPolicyError_WhenValidatingCredit_ThenBM1008CountsTheMissingCellsPerColumn()
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("credit", "credit_data.csv"), "Status", "binary", new Dictionary<string, string> { ["MlopsPositiveClass"] = "bad", ["MlopsMissingPolicy"] = "Error" });

        var error = Assert.Throws<MlopsException>(() => DataPreparer.Prepare(workspace.Spec, workspace.Log))!;

        Assert.That(error.Code, Is.EqualTo("BM1008"));
        Assert.That(error.Message, Does.Contain("Income (381)"));
    }

    [Test]
    public void GivenMissingPolicyDropRows_WhenValidatingCredit_ThenRowsWithHolesAreLeftOut()
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("credit", "credit_data.csv"), "Status", "binary", new Dictionary<string, string> { ["MlopsPositiveClass"] = "bad", ["MlopsMissingPolicy"] = "DropRows" });
        var complete = File.ReadLines(workspace.DataFile).Skip(1).Count(line => !line.Split(',').Contains("NA"));

        var (data, profile) = DataPreparer.Prepare(workspace.Spec, workspace.Log);

        Assert.That(data.Count, Is.EqualTo(complete));
        Assert.That(profile.DroppedRows, Is.EqualTo(4454 - complete));
    }

    [Test]
    public void GivenALabelWithoutARecognisablePositiveClass_WhenValidated_ThenBM1007AsksForMlopsPositiveClass()
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("credit", "credit_data.csv"), "Status", "binary");

        var error = Assert.Throws<MlopsException>(() => DataPreparer.Prepare(workspace.Spec, workspace.Log))!;

        Assert.That(error.Code, Is.EqualTo("BM1007"));
        Assert.That(error.FullMessage, Is.EqualTo("cannot tell which value of label column 'Status' is the positive class ('bad' or 'good'). Set <MlopsPositiveClass> in the project to the value the model should detect"));
    }

    [Test]
    public void GivenAMulticlassLabelForABinaryModel_WhenValidated_ThenBM1007SuggestsMulticlass()
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("credit", "credit_data.csv"), "Home", "binary");

        var error = Assert.Throws<MlopsException>(() => DataPreparer.Prepare(workspace.Spec, workspace.Log))!;

        Assert.That(error.Code, Is.EqualTo("BM1007"));
        Assert.That(error.Help, Is.EqualTo("Set MlopsTask to multiclass, or pick another label"));
    }

    [Test]
    public void GivenAColumnDeclaredText_WhenValidated_ThenItIsOneHotEncodedNotNumeric()
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("concrete", "concrete.csv"), "compressive_strength", "regression");
        SpecFactory.AddItem(workspace.Raw, "MlopsColumn", "age", ("Type", "Text"));
        SpecFactory.AddItem(workspace.Raw, "MlopsColumn", "fly_ash", ("Ignore", "true"));

        var (_, profile) = DataPreparer.Prepare(workspace.Spec, workspace.Log);

        Assert.That(profile.Columns.Single(column => column.Name == "age").Type, Is.EqualTo("text"));
        Assert.That(profile.Columns.Single(column => column.Name == "fly_ash").Role, Is.EqualTo("ignored"));
    }
}
