using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.IntegrationTests;

/// <summary>
/// Model images end to end, against real parts: the churn pipeline is built, packaged and pushed to
/// Debian's docker-registry on 127.0.0.1; skopeo reads it back, umoci unpacks it, and the host runs
/// from the unpacked root file system under bubblewrap. The base is a .NET runtime image the fixture
/// makes from the host's own runtime with umoci and pushes there, since no public registry is
/// reachable.
/// </summary>
[TestFixture]
[NonParallelizable]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ImageTests
{
    private const string SourceDateEpoch = "1700000000";

    private RegistryServer _registry = null!;
    private string _baseImage = "";

    [OneTimeSetUp]
    public void StartRegistryWithBaseImage()
    {
        _registry = RegistryServer.Start();
        _baseImage = $"{_registry.Address}/test/dotnet-base:{DotnetBaseImage.Tag}";
        var layout = DotnetBaseImage.Layout(RepoLayout.ServingHost);
        ImageTools.Run("skopeo", "copy", "--dest-tls-verify=false", $"oci:{layout}:{DotnetBaseImage.Tag}", $"docker://{_baseImage}");
    }

    [OneTimeTearDown]
    public void StopRegistry() => _registry?.Dispose();

    private string[] ImageProperties(params string[] more) =>
    [
        $"-p:MlopsBaseImage={_baseImage}",
        $"-p:MlopsInsecureRegistries={_registry.Address}",
        $"-p:MlopsImageRegistry={_registry.Address}",
        .. more,
    ];

    private static readonly Dictionary<string, string?> FixedTime = new() { ["SOURCE_DATE_EPOCH"] = SourceDateEpoch };

    [Test]
    public void GivenChurn_WhenPackagedInTwoCleanCopies_ThenTheDigestsAreEqual_AndARebuildIsUpToDate()
    {
        using var first = new PipelineWorkspace("churn");
        using var second = new PipelineWorkspace("churn");

        var firstBuild = first.Build(["-t:MlopsPackage", .. ImageProperties()], FixedTime);
        Assert.That(firstBuild.ExitCode, Is.Zero, firstBuild.ToString());
        Assert.That(firstBuild.StandardOutput, Does.Contain("MlopsPackage: building image churn:1.0.0"));
        var secondBuild = second.Build(["-t:MlopsPackage", .. ImageProperties()], FixedTime);
        Assert.That(secondBuild.ExitCode, Is.Zero, secondBuild.ToString());

        var firstImage = ReadSummary(first);
        var secondImage = ReadSummary(second);
        Assert.That((string?)secondImage["digest"], Is.EqualTo((string?)firstImage["digest"]).And.StartWith("sha256:"));
        Assert.That(File.ReadAllBytes(first.Output("image/image.tar")), Is.EqualTo(File.ReadAllBytes(second.Output("image/image.tar"))));

        var again = first.Build(["-t:MlopsPackage", .. ImageProperties()], FixedTime);
        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(again.StandardOutput, Does.Contain($"MlopsPackage: up to date (churn:1.0.0 {firstImage["digest"]})"));
        Assert.That(BuildOutput.StepsThatRan(again), Is.Empty);
    }

    [Test]
    public void GivenACommittedProject_WhenPackagedInTwoClones_ThenTheCommitGivesTimeRevisionAndTag_AndTheDigestsAreEqual()
    {
        using var workspace = new PipelineWorkspace("churn");
        var commitTime = new Dictionary<string, string?>
        {
            ["GIT_AUTHOR_DATE"] = "2024-05-17T09:30:12+02:00",
            ["GIT_COMMITTER_DATE"] = "2024-05-17T09:30:12+02:00",
        };
        void Git(string directory, params string[] arguments)
        {
            var result = ProcessRunner.Run("git", arguments, directory, commitTime);
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
        }

        File.WriteAllText(Path.Combine(workspace.Directory, ".gitignore"), "bin/\nobj/\n");
        Git(workspace.Directory, "init", "-q", "-b", "main");
        Git(workspace.Directory, "-c", "user.name=BuildMlops tests", "-c", "user.email=tests@buildmlops.dev", "add", "-A");
        Git(workspace.Directory, "-c", "user.name=BuildMlops tests", "-c", "user.email=tests@buildmlops.dev", "commit", "-q", "-m", "churn");
        Git(workspace.Directory, "remote", "add", "origin", "git@github.com:example/churn-models.git");
        var commit = ProcessRunner.Run("git", ["rev-parse", "HEAD"], workspace.Directory).StandardOutput.Trim();
        var clone = workspace.Directory + "-clone";
        Git(Path.GetDirectoryName(workspace.Directory)!, "clone", "-q", workspace.Directory, clone);
        Git(clone, "remote", "set-url", "origin", "git@github.com:example/churn-models.git");

        var noEpoch = new Dictionary<string, string?> { ["SOURCE_DATE_EPOCH"] = null };
        var first = workspace.Build(["-t:MlopsPackage", .. ImageProperties()], noEpoch);
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        var second = ProcessRunner.Dotnet(clone, ["build", Path.Combine(clone, "churn.csproj"), "-nodeReuse:false", "-tl:off", "-nologo", "-t:MlopsPackage", .. ImageProperties()], noEpoch);
        Assert.That(second.ExitCode, Is.Zero, second.ToString());

        var image = ReadSummary(workspace);
        var cloned = JsonNode.Parse(File.ReadAllText(Path.Combine(clone, "bin", "mlops", "image", "image.json")))!;
        Assert.That((string?)cloned["digest"], Is.EqualTo((string?)image["digest"]));
        Assert.That((string?)image["created"], Is.EqualTo("2024-05-17T07:30:12Z"), "the commit time, in UTC");
        Assert.That((string?)image["revision"], Is.EqualTo(commit));
        Assert.That((string?)image["source"], Is.EqualTo("https://github.com/example/churn-models"));
        Assert.That(image["tags"]!.AsArray().Select(tag => (string?)tag), Is.EqualTo(new[] { "1.0.0", commit }));
    }

    [Test]
    public async Task GivenAPushedImage_WhenSkopeoCopiesIt_AndItRunsUnderBwrap_ThenPredictEqualsTheHostServer()
    {
        using var workspace = new PipelineWorkspace("churn");
        var push = workspace.Build(["-t:MlopsPush", .. ImageProperties()], FixedTime);
        Assert.That(push.ExitCode, Is.Zero, push.ToString());
        var image = ReadSummary(workspace);
        var digest = (string)image["digest"]!;

        var inspected = JsonNode.Parse(ImageTools.Run("skopeo", "inspect", "--tls-verify=false", $"docker://{_registry.Address}/churn:1.0.0").StandardOutput)!;
        Assert.That((string?)inspected["Digest"], Is.EqualTo(digest));
        Assert.That((string?)inspected["Labels"]?["buildmlops.model.sha256"], Is.EqualTo(Sha256.Of(workspace.Output("model.zip"))));
        Assert.That(inspected["Labels"]?["buildmlops.metric.auc"], Is.Not.Null);
        var raw = JsonNode.Parse(ImageTools.Run("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{_registry.Address}/churn:1.0.0").StandardOutput)!;
        Assert.That((string?)raw["annotations"]?["org.opencontainers.image.created"], Is.EqualTo("2023-11-14T22:13:20Z"));

        using var scratch = new TemporaryDirectory("unpacked");
        var bundle = ImageTools.PullAndUnpack($"{_registry.Address}/churn:1.0.0", scratch.Path);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")))!;
        Assert.That((int?)config["process"]?["user"]?["uid"], Is.EqualTo(1654), "the container runs as a non-root user");

        var records = SampleRecords(workspace, 5);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var container = BwrapContainer.Start(bundle);
        await container.WaitUntilAsync(http, "ready", TimeSpan.FromSeconds(60));
        using var fromContainer = await http.PostAsJsonAsync(new Uri(container.BaseAddress, "predict"), records);
        var containerBody = await fromContainer.Content.ReadAsStringAsync();
        Assert.That((int)fromContainer.StatusCode, Is.EqualTo(200), containerBody + "\n" + container.Output);

        var model = JsonNode.Parse(await http.GetStringAsync(new Uri(container.BaseAddress, "model")))!;
        Assert.That(model.ToJsonString(), Does.Contain(Sha256.Of(workspace.Output("model.zip"))));

        // The same records through mlops serve on the host, which the serving tests hold equal to ML.NET in-process.
        var hostBody = await HostPredictions(workspace, records);
        var containerPredictions = JsonNode.Parse(containerBody)!.AsArray();
        Assert.That(containerPredictions, Has.Count.EqualTo(records.Count));
        Assert.That(containerPredictions.ToJsonString(), Is.EqualTo(JsonNode.Parse(hostBody)!.AsArray().ToJsonString()));
    }

    [Test]
    public void GivenAPushedImage_WhenOnlyTheModelChanges_ThenThePushUploadsOnlyTheModelLayerAndConfig()
    {
        using var workspace = new PipelineWorkspace("churn");
        var first = workspace.Build(["-t:MlopsPush", .. ImageProperties("-p:MlopsImageRepository=models/churn-delta")], FixedTime);
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        var before = ReadSummary(workspace);

        var unchanged = workspace.Build(["-t:MlopsPush", .. ImageProperties("-p:MlopsImageRepository=models/churn-delta")], FixedTime);
        Assert.That(unchanged.ExitCode, Is.Zero, unchanged.ToString());
        var unchangedPush = ReadPush(workspace);
        Assert.That((int?)unchangedPush["blobs_uploaded"], Is.Zero, "a second push of an unchanged image uploads no blob");

        var retrained = workspace.Build(["-t:MlopsPush", "-p:MlopsSeed=7", .. ImageProperties("-p:MlopsImageRepository=models/churn-delta")], FixedTime);
        Assert.That(retrained.ExitCode, Is.Zero, retrained.ToString());
        var after = ReadSummary(workspace);
        var push = ReadPush(workspace);

        var layersBefore = before["layers"]!.AsArray().Select(layer => (string)layer!["digest"]!).ToList();
        var layersAfter = after["layers"]!.AsArray().Select(layer => (string)layer!["digest"]!).ToList();
        Assert.That(layersAfter.Take(layersAfter.Count - 1), Is.EqualTo(layersBefore.Take(layersBefore.Count - 1)), "base and app layers are unchanged");
        Assert.That(layersAfter[^1], Is.Not.EqualTo(layersBefore[^1]), "the model layer changed");
        Assert.That((int?)push["blobs_uploaded"], Is.EqualTo(2), "the model layer and the config");
        var modelLayerSize = (long)after["layers"]!.AsArray()[^1]!["size"]!;
        Assert.That((long?)push["bytes_uploaded"], Is.LessThan(modelLayerSize + 64 * 1024));
    }

    [Test]
    public void GivenNoRegistrySetting_WhenPushing_ThenBM7001NamesTheProperty()
    {
        using var workspace = new PipelineWorkspace("churn");
        var result = workspace.Build(["-t:MlopsPush", $"-p:MlopsBaseImage={_baseImage}", $"-p:MlopsInsecureRegistries={_registry.Address}"], FixedTime);
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(BuildOutput.ErrorCodes(result), Is.EqualTo(new[] { "BM7001" }), result.ToString());
        Assert.That(result.StandardOutput, Does.Contain("MlopsImageRegistry"));
    }

    [Test]
    public void GivenAnUnreachableRegistry_WhenPushing_ThenBM7004()
    {
        using var workspace = new PipelineWorkspace("churn");
        var package = workspace.Build(["-t:MlopsPackage", .. ImageProperties()], FixedTime);
        Assert.That(package.ExitCode, Is.Zero, package.ToString());
        var result = workspace.Build(["-t:MlopsPush", .. ImageProperties(), "-p:MlopsImageRegistry=127.0.0.1:9", "-p:MlopsInsecureRegistries=127.0.0.1:9"], FixedTime);
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(BuildOutput.ErrorCodes(result), Is.EqualTo(new[] { "BM7004" }), result.ToString());
    }

    [Test]
    public void GivenNoCommitAndNoSourceDateEpoch_WhenPackaging_ThenBM7007SaysHowToFixTheTime()
    {
        using var workspace = new PipelineWorkspace("churn");
        var result = workspace.Build(["-t:MlopsPackage", .. ImageProperties()], new Dictionary<string, string?> { ["SOURCE_DATE_EPOCH"] = null });
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(BuildOutput.ErrorCodes(result), Is.EqualTo(new[] { "BM7007" }), result.ToString());
        Assert.That(result.StandardOutput, Does.Contain("SOURCE_DATE_EPOCH"));
        Assert.That(Directory.Exists(workspace.Output("image/layout")), Is.False, "nothing half-written");
    }

    [Test]
    public void GivenABadTag_WhenBuilding_ThenBM7001PointsAtTheProjectBeforeTraining()
    {
        using var workspace = new PipelineWorkspace("churn");
        workspace.EditProject("</PropertyGroup>", "  <MlopsImageTag>not a tag</MlopsImageTag>\n  </PropertyGroup>");
        var result = workspace.Build();
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(BuildOutput.ErrorCodes(result), Is.EqualTo(new[] { "BM7001" }), result.ToString());
        Assert.That(result.StandardOutput, Does.Match(@"churn\.csproj\(\d+(,\d+)?\): error BM7001: MlopsImageTag has the invalid value 'not a tag'"));
        Assert.That(File.Exists(workspace.Output("model.zip")), Is.False);
    }

    [Test]
    public void GivenNoDockerEngine_WhenLoadingTheImage_ThenBM7009NamesTheEndpointAndTheImageIsStillThere()
    {
        using var workspace = new PipelineWorkspace("churn");
        var environment = new Dictionary<string, string?>(FixedTime) { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock" };
        var result = workspace.Build(["-t:MlopsDockerLoad", .. ImageProperties()], environment);
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(BuildOutput.ErrorCodes(result), Is.EqualTo(new[] { "BM7009" }), result.ToString());
        Assert.That(result.StandardOutput, Does.Contain("/nonexistent/docker.sock"));
        Assert.That(File.Exists(workspace.Output("image/image.tar")), Is.True, "packaging needs no engine; only loading does");
    }

    private static JsonNode ReadSummary(PipelineWorkspace workspace) =>
        JsonNode.Parse(File.ReadAllText(workspace.Output("image/image.json")))!;

    private static JsonNode ReadPush(PipelineWorkspace workspace) =>
        JsonNode.Parse(File.ReadAllText(workspace.Output("image/push.json")))!;

    /// <summary>The first rows of the training data as JSON records, typed as the schema says, without the label.</summary>
    private static JsonArray SampleRecords(PipelineWorkspace workspace, int count)
    {
        var schema = JsonNode.Parse(File.ReadAllText(workspace.Output("schema.json")))!;
        var columns = schema["columns"]!.AsArray().Select(column => column!).ToList();
        var dataFile = Directory.EnumerateFiles(workspace.Directory + "/data", "*.csv").Single();
        var lines = File.ReadLines(dataFile).Take(count + 1).ToList();
        var header = lines[0].Split(',').Select(name => name.Trim('"')).ToArray();
        var records = new JsonArray();
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',').Select(cell => cell.Trim('"')).ToArray();
            var record = new JsonObject();
            foreach (var column in columns.Where(column => (string?)column["role"] == "feature"))
            {
                var name = (string)column["name"]!;
                var cell = cells[Array.IndexOf(header, name)];
                record[name] = (string?)column["type"] == "numeric" && double.TryParse(cell, System.Globalization.CultureInfo.InvariantCulture, out var number)
                    ? JsonValue.Create(number)
                    : JsonValue.Create(cell);
            }

            records.Add(record);
        }

        return records;
    }

    private static async Task<string> HostPredictions(PipelineWorkspace workspace, JsonArray records)
    {
        var port = FreePort();
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(RepoLayout.ServingHost, "mlops-serve.dll"), "--model-dir", workspace.Output(""), "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    using var ready = await http.GetAsync("ready");
                    if (ready.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                }

                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the host server did not become ready");
                await Task.Delay(200);
            }

            using var response = await http.PostAsJsonAsync("predict", records);
            return await response.Content.ReadAsStringAsync();
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
