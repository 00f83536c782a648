using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

[TestFixture]
public sealed class LockFileTests
{
    [Test]
    public void GivenALockFile_WhenSavedAndLoaded_ThenItIsTheSameAndByteStable()
    {
        using var directory = new TemporaryDirectory("lock");
        var path = directory.Combine("mlops.lock.json");
        var lockFile = new LockFile { Project = "churn.csproj" };
        lockFile.Stages["train"] = new StageRecord
        {
            Deps = new(StringComparer.Ordinal) { ["param:MlopsSeed"] = "42", ["data:data/a.csv"] = "ab" },
            Outs = new(StringComparer.Ordinal) { ["bin/mlops/model.zip"] = new OutputRecord("cd", 10) },
        };
        lockFile.Stages["validate"] = new StageRecord();

        lockFile.Save(path);
        var loaded = LockFile.Load(path);

        Assert.That(loaded.ToJson(), Is.EqualTo(File.ReadAllText(path)));
        Assert.That(loaded.Stage(StepName.Train)!.Outs["bin/mlops/model.zip"], Is.EqualTo(new OutputRecord("cd", 10)));
        Assert.That(File.ReadAllText(path), Does.Not.Contain("\r"));
        Assert.That(File.ReadAllText(path).IndexOf("\"validate\"", StringComparison.Ordinal), Is.LessThan(File.ReadAllText(path).IndexOf("\"train\"", StringComparison.Ordinal)), "stages in step order");
    }

    [TestCase("{")]
    [TestCase("{\"schema\": 99, \"project\": \"x\", \"stages\": {}}")]
    [TestCase("{\"schema\": 1, \"project\": \"x\", \"stages\": {\"train\": {\"deps\": {}}}}")]
    public void GivenADamagedLockFile_WhenLoaded_ThenBM3002SaysWhatToDo(string text)
    {
        using var directory = new TemporaryDirectory("lock");
        var path = directory.Combine("mlops.lock.json");
        File.WriteAllText(path, text);

        var error = Assert.Throws<MlopsException>(() => LockFile.Load(path))!;

        Assert.That(error.Code, Is.EqualTo("BM3002"));
        Assert.That(error.Help, Is.EqualTo("Restore it from version control, or delete it to rebuild every step"));
    }
}
