using BuildMlops.Diagnostics;
using BuildMlops.Spec;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Core.Tests;

/// <summary>Bad settings fail before any data is read, pointing at the line that sets them.</summary>
[TestFixture]
public sealed class ModelSpecParserTests
{
    private TemporaryDirectory _directory = null!;

    [SetUp]
    public void CreateProject()
    {
        _directory = new TemporaryDirectory("spec");
        File.WriteAllText(_directory.Combine("model.csproj"), """
            <Project Sdk="BuildMlops.Sdk/0.1.0">
              <PropertyGroup>
                <MlopsTrainer>Forest</MlopsTrainer>
                <MlopsSeed>-1</MlopsSeed>
              </PropertyGroup>
              <ItemGroup>
                <MlopsGate Include="rmse" Max="5" />
              </ItemGroup>
            </Project>
            """);
    }

    [TearDown]
    public void DeleteProject() => _directory.Dispose();

    [Test]
    public void GivenDefaults_WhenParsed_ThenPathsAreAbsoluteAndDataKeepsItsProjectRelativeName()
    {
        var spec = ModelSpecParser.Parse(Raw());

        Assert.That(spec.DataFiles.Single().Name, Is.EqualTo("data/x.csv"));
        Assert.That(spec.DataFiles.Single().FullPath, Is.EqualTo(_directory.Combine("data", "x.csv")));
        Assert.That(spec.OutputDirectory, Is.EqualTo(_directory.Combine("bin", "mlops") + "/"));
        Assert.That(spec.Trainer, Is.EqualTo("FastTree"));
    }

    [Test]
    public void GivenAnUnknownTrainer_WhenParsed_ThenBM1101PointsAtTheProperty()
    {
        var error = Assert.Throws<MlopsException>(() => ModelSpecParser.Parse(Raw((SettingNames.Trainer, "Forest"))))!;

        Assert.That(error.Code, Is.EqualTo("BM1101"));
        Assert.That(error.Location, Is.EqualTo(new SourceLocation(_directory.Combine("model.csproj"), 3, 5)));
    }

    [Test]
    public void GivenATrainerInOtherCase_WhenParsed_ThenItIsCanonicalised()
    {
        Assert.That(ModelSpecParser.Parse(Raw((SettingNames.Trainer, "lightgbm"))).Trainer, Is.EqualTo("LightGbm"));
    }

    [Test]
    public void GivenANegativeSeed_WhenParsed_ThenBM1103SaysTheRange()
    {
        var error = Assert.Throws<MlopsException>(() => ModelSpecParser.Parse(Raw((SettingNames.Seed, "-1"))))!;

        Assert.That(error.Code, Is.EqualTo("BM1103"));
        Assert.That(error.FullMessage, Is.EqualTo("MlopsSeed has the invalid value '-1'. Use a whole number from 0 to 2147483647"));
        Assert.That(error.Location.Line, Is.EqualTo(4));
    }

    [TestCase("0,2")]
    [TestCase("1.5")]
    public void GivenABadTestFraction_WhenParsed_ThenBM1103(string fraction)
    {
        var error = Assert.Throws<MlopsException>(() => ModelSpecParser.Parse(Raw((SettingNames.TestFraction, fraction))))!;

        Assert.That(error.Code, Is.EqualTo("BM1103"));
    }

    [Test]
    public void GivenAGateOnAMetricOfAnotherTask_WhenParsed_ThenBM2002ListsTheTasksMetrics()
    {
        var raw = Raw();
        SpecFactory.AddItem(raw, SettingNames.GateItem, "rmse", ("Max", "5"));

        var error = Assert.Throws<MlopsException>(() => ModelSpecParser.Parse(raw))!;

        Assert.That(error.Code, Is.EqualTo("BM2002"));
        Assert.That(error.Help, Is.EqualTo("Gate on one of: auc, accuracy, f1, precision, recall, log_loss"));
        Assert.That(error.Location.Line, Is.EqualTo(7));
    }

    [Test]
    public void GivenAGateWithoutBounds_WhenParsed_ThenBM2003()
    {
        var raw = Raw();
        SpecFactory.AddItem(raw, SettingNames.GateItem, "auc");

        Assert.That(Assert.Throws<MlopsException>(() => ModelSpecParser.Parse(raw))!.Code, Is.EqualTo("BM2003"));
    }

    [Test]
    public void GivenAGateBoundThatIsNotANumber_WhenParsed_ThenBM2003()
    {
        var raw = Raw();
        SpecFactory.AddItem(raw, SettingNames.GateItem, "AUC", ("Min", "high"));

        var error = Assert.Throws<MlopsException>(() => ModelSpecParser.Parse(raw))!;

        Assert.That(error.Code, Is.EqualTo("BM2003"));
        Assert.That(error.Message, Is.EqualTo("gate 'auc' has the invalid Min 'high'"));
    }

    [Test]
    public void GivenNoData_WhenParsed_ThenBM1011()
    {
        var raw = Raw();
        raw.Items.Clear();

        Assert.That(Assert.Throws<MlopsException>(() => ModelSpecParser.Parse(raw))!.Code, Is.EqualTo("BM1011"));
    }

    [Test]
    public void GivenAnUnknownTask_WhenParsed_ThenBM1103ListsTheTasks()
    {
        var error = Assert.Throws<MlopsException>(() => ModelSpecParser.Parse(Raw((SettingNames.Task, "clustering"))))!;

        Assert.That(error.FullMessage, Is.EqualTo("MlopsTask has the invalid value 'clustering'. Use one of: binary, multiclass or regression"));
    }

    private RawSpec Raw(params (string Name, string Value)[] overrides) =>
        SpecFactory.Raw(_directory.Path, "y", "binary", ["data/x.csv"], overrides.ToDictionary(pair => pair.Name, pair => pair.Value));
}
