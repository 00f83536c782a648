using System.Security.Cryptography;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Spec;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Training.Tests;

/// <summary>Every trainer a project may name trains, deterministically, with the SDK's settings.</summary>
[TestFixture]
public sealed class TrainerCatalogTests
{
    public static IEnumerable<TestCaseData> EveryTrainer() =>
        Enum.GetValues<TaskKind>().SelectMany(task => TrainerCatalogNames.For(task).Select(trainer => new TestCaseData(task, trainer)
            .SetName($"Given{trainer}For{task}_WhenTrainedTwice_ThenTheModelsAreByteIdentical")));

    [TestCaseSource(nameof(EveryTrainer))]
    public void GivenATrainer_WhenTrainedTwice_ThenTheModelsAreByteIdentical(TaskKind task, string trainer)
    {
        var (pipeline, file, label, positive) = task switch
        {
            TaskKind.Binary => ("churn", "wa_churn.csv", "churn", "Yes"),
            TaskKind.Regression => ("concrete", "concrete.csv", "compressive_strength", ""),
            _ => ("credit", "credit_data.csv", "Home", ""),
        };
        var properties = new Dictionary<string, string> { ["MlopsTrainer"] = trainer, ["MlopsPositiveClass"] = positive };

        string TrainOnce()
        {
            using var workspace = new StepWorkspace(RepoLayout.PipelineData(pipeline, file), label, task.ToString(), properties, takeRows: 1000);
            workspace.RunThrough(StepName.Train);
            return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(workspace.Output("model.zip"))));
        }

        Assert.That(TrainOnce(), Is.EqualTo(TrainOnce()));
    }

    [Test]
    public void GivenFastTreeOnTwoThreads_WhenTrainedTwice_ThenTheModelsAreByteIdentical()
    {
        string TrainOnce()
        {
            using var workspace = new StepWorkspace(RepoLayout.PipelineData("churn", "wa_churn.csv"), "churn", "binary", new Dictionary<string, string> { ["MlopsPositiveClass"] = "Yes", ["MlopsThreads"] = "2" });
            workspace.RunThrough(StepName.Train);
            Assert.That(workspace.Log.Warnings, Is.Empty);
            return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(workspace.Output("model.zip"))));
        }

        Assert.That(TrainOnce(), Is.EqualTo(TrainOnce()));
    }

    [Test]
    public void GivenSdcaOnFourThreads_WhenTrained_ThenItWarnsAndTrainsTheOneThreadModel()
    {
        string Train(string threads, out List<string> warnings)
        {
            using var workspace = new StepWorkspace(RepoLayout.PipelineData("concrete", "concrete.csv"), "compressive_strength", "regression", new Dictionary<string, string> { ["MlopsTrainer"] = "Sdca", ["MlopsThreads"] = threads });
            workspace.RunThrough(StepName.Train);
            warnings = workspace.Log.Warnings;
            return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(workspace.Output("model.zip"))));
        }

        var four = Train("4", out var warnings);

        Assert.That(four, Is.EqualTo(Train("1", out _)));
        Assert.That(warnings, Is.EqualTo(new[] { "BM1104: Sdca is not deterministic on several threads, so it trains on one (MlopsThreads is 4); set MlopsThreads to 1 to silence this" }));
    }

    [Test]
    public void GivenEveryTrainerName_WhenChecked_ThenTheSpecAndTheFactoryAgree()
    {
        foreach (var task in Enum.GetValues<TaskKind>())
        {
            foreach (var trainer in TrainerCatalogNames.For(task))
            {
                Assert.That(TrainerCatalogNames.Resolve(task, trainer.ToUpperInvariant()), Is.EqualTo(trainer));
            }
        }
    }

    [Test]
    public void GivenHyperparameters_WhenTrained_ThenTheyReachTheTrainerAndChangeTheModel()
    {
        string Train(string trees)
        {
            using var workspace = new StepWorkspace(RepoLayout.PipelineData("concrete", "concrete.csv"), "compressive_strength", "regression");
            SpecFactory.AddItem(workspace.Raw, SettingNames.HyperparameterItem, "NumberOfTrees", ("Value", trees));
            workspace.RunThrough(StepName.Train);
            return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(workspace.Output("model.zip"))));
        }

        Assert.That(Train("10"), Is.Not.EqualTo(Train("20")));
    }

    [TestCase("NumberOfTrees", "many", "hyperparameter 'NumberOfTrees' of trainer FastTree cannot be 'many'. Give a whole number")]
    [TestCase("Seed", "1", "hyperparameter 'Seed' is set by BuildMlops. Set MlopsSeed instead")]
    [TestCase("seed", "1", "hyperparameter 'seed' is set by BuildMlops. Set MlopsSeed instead")]
    [TestCase("NumberOfThreads", "4", "hyperparameter 'NumberOfThreads' is set by BuildMlops. Set MlopsThreads instead")]
    public void GivenABadHyperparameter_WhenTrained_ThenBM1102SaysWhatToDo(string name, string value, string message)
    {
        using var workspace = new StepWorkspace(RepoLayout.PipelineData("concrete", "concrete.csv"), "compressive_strength", "regression");
        SpecFactory.AddItem(workspace.Raw, SettingNames.HyperparameterItem, name, ("Value", value));

        var error = Assert.Throws<MlopsException>(() => workspace.RunThrough(StepName.Train))!;

        Assert.That(error.Code, Is.EqualTo("BM1102"));
        Assert.That(error.FullMessage, Is.EqualTo(message));
        Assert.That(File.Exists(workspace.Output("model.zip")), Is.False);
    }
}
