using BuildMlops.Diagnostics;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Serving.Tests;

/// <summary>Options from the command line, then the environment, then the defaults; and a model directory that cannot be served.</summary>
[TestFixture]
public sealed class OptionsTests
{
    [Test]
    public void GivenOnlyEnvironmentVariables_WhenResolved_ThenTheyAreUsed()
    {
        var environment = new Dictionary<string, string>
        {
            ["MLOPS_MODEL_DIR"] = "/models/churn",
            ["ASPNETCORE_URLS"] = "http://0.0.0.0:9000;http://127.0.0.1:9001",
            ["MLOPS_PREDICTION_LOG"] = "/var/log/predictions.jsonl",
            ["MLOPS_MAX_BODY_BYTES"] = "4MiB",
            ["MLOPS_MODEL_NAME"] = "churn",
            ["MLOPS_MODEL_VERSION"] = "1.2.3",
            ["MLOPS_VALUE_BUCKETS"] = "10, 20,50",
        };

        var options = ServingOptions.Resolve(environment: environment.GetValueOrDefault);

        Assert.That(options.ModelDirectory, Is.EqualTo(Path.GetFullPath("/models/churn")));
        Assert.That(options.Urls, Is.EqualTo(new[] { "http://0.0.0.0:9000", "http://127.0.0.1:9001" }));
        Assert.That(options.PredictionLog, Is.EqualTo(Path.GetFullPath("/var/log/predictions.jsonl")));
        Assert.That(options.MaxBodyBytes, Is.EqualTo(4 * 1024 * 1024));
        Assert.That((options.ModelName, options.ModelVersion), Is.EqualTo(("churn", "1.2.3")));
        Assert.That(options.ValueBuckets, Is.EqualTo(new[] { 10.0, 20.0, 50.0 }));
    }

    [Test]
    public void GivenCommandLineAndEnvironment_WhenResolved_ThenTheCommandLineWins()
    {
        var environment = new Dictionary<string, string> { ["MLOPS_MODEL_DIR"] = "/env", ["ASPNETCORE_URLS"] = "http://0.0.0.0:9000" };

        var options = ServingOptions.Resolve(modelDirectory: "/cli", urls: "http://127.0.0.1:7000", environment: environment.GetValueOrDefault);

        Assert.That(options.ModelDirectory, Is.EqualTo(Path.GetFullPath("/cli")));
        Assert.That(options.Urls, Is.EqualTo(new[] { "http://127.0.0.1:7000" }));
    }

    [Test]
    public void GivenOnlyAspNetCoreHttpPorts_WhenResolved_ThenEveryInterfaceListensOnThem()
    {
        var environment = new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = "8080;9090" };

        var options = ServingOptions.Resolve(environment: environment.GetValueOrDefault);

        Assert.That(options.Urls, Is.EqualTo(new[] { "http://*:8080", "http://*:9090" }));
    }

    [Test]
    public void GivenNothing_WhenResolved_ThenTheDefaultsApply()
    {
        var options = ServingOptions.Resolve(defaultUrls: ServingOptions.LocalUrls, environment: _ => null);

        Assert.That(options.ModelDirectory, Is.EqualTo(Path.GetFullPath(".")));
        Assert.That(options.Urls, Is.EqualTo(new[] { "http://127.0.0.1:8080" }));
        Assert.That(options.MaxBodyBytes, Is.EqualTo(1024 * 1024));
        Assert.That(options.PredictionLog, Is.Null);
    }

    [TestCase("0")]
    [TestCase("-5")]
    [TestCase("lots")]
    [TestCase("5GiB")]
    public void GivenABadSize_WhenResolved_ThenBM6002(string size)
    {
        var error = Assert.Throws<MlopsException>(() => ServingOptions.Resolve(maxBodyBytes: size, environment: _ => null))!;

        Assert.That(error.Code, Is.EqualTo("BM6002"));
        Assert.That(error.Message, Is.EqualTo($"'{size}' is not a size in bytes"));
    }

    [TestCase("https://0.0.0.0:443")]
    [TestCase("localhost:8080")]
    public void GivenAnAddressThatIsNotHttp_WhenResolved_ThenBM6002(string urls)
    {
        var error = Assert.Throws<MlopsException>(() => ServingOptions.Resolve(urls: urls, environment: _ => null))!;

        Assert.That(error.Code, Is.EqualTo("BM6002"));
    }

    [Test]
    public void GivenADirectoryWithoutAModel_WhenAServerIsCreated_ThenBM6001SaysToBuildFirst()
    {
        using var directory = new TemporaryDirectory("no-model");

        var error = Assert.Throws<MlopsException>(() => ModelServer.Create(new ServingOptions { ModelDirectory = directory.Path, Status = null }))!;

        Assert.That(error.Code, Is.EqualTo("BM6001"));
        Assert.That(error.Message, Is.EqualTo("the model directory has no model.zip"));
        Assert.That(error.Help, Does.Contain("dotnet build"));
    }

    [Test]
    public void GivenASchemaThatDoesNotDescribeTheModel_WhenItLoads_ThenBM6001NamesTheDifference()
    {
        using var directory = new TemporaryDirectory("wrong-schema");
        var churn = Models.Get("churn").Model.ModelDirectory;
        File.Copy(Path.Combine(churn, "model.zip"), directory.Combine("model.zip"));
        File.WriteAllText(directory.Combine("schema.json"), File.ReadAllText(Path.Combine(churn, "schema.json")).Replace("\"tenure\"", "\"tenure_months\"", StringComparison.Ordinal));
        var description = ModelDescription.Load(new ServingOptions { ModelDirectory = directory.Path, Status = null });

        var error = Assert.Throws<MlopsException>(() => ScoringModel.Load(description))!;

        Assert.That(error.Code, Is.EqualTo("BM6001"));
        Assert.That(error.Message, Does.Contain("feature 'tenure_months' is not an input of the model"));
        Assert.That(error.Message, Does.Contain("the model's input 'tenure' is not a feature in schema.json"));
    }

    [Test]
    public async Task GivenAModelZipThatIsNotAModel_WhenServed_ThenRunStopsWithBM6001()
    {
        using var directory = new TemporaryDirectory("broken-model");
        var churn = Models.Get("churn").Model.ModelDirectory;
        File.WriteAllText(directory.Combine("model.zip"), "not a zip");
        File.Copy(Path.Combine(churn, "schema.json"), directory.Combine("schema.json"));
        await using var server = ModelServer.Create(new ServingOptions { ModelDirectory = directory.Path, Urls = ["http://127.0.0.1:0"], Status = null });

        var error = Assert.ThrowsAsync<MlopsException>(() => server.RunAsync())!;

        Assert.That(error.Code, Is.EqualTo("BM6001"));
        Assert.That(error.Message, Does.StartWith("model.zip cannot be loaded: "));
        Assert.That(server.IsReady, Is.False);
    }
}
