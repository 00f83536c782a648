using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using BuildMlops.Pipeline;
using NUnit.Framework;

namespace BuildMlops.Serving.Tests;

/// <summary>/health, /ready, /model, /metrics and the prediction log.</summary>
[TestFixture]
public sealed partial class EndpointTests
{
    [Test]
    public async Task GivenARunningServer_WhenHealthAndReadyAreAsked_ThenBothAre200()
    {
        var served = Models.Get("churn");

        var health = await served.GetAsync("/health");
        var ready = await served.GetAsync("/ready");

        Assert.That((health.Status, health.Body.Trim()), Is.EqualTo((200, "{\"status\":\"ok\"}")));
        Assert.That((ready.Status, ready.Body.Trim()), Is.EqualTo((200, "{\"status\":\"ready\"}")));
        Assert.That(served.Server.IsReady, Is.True);
    }

    [TestCaseSource(typeof(Models), nameof(Models.Names))]
    public async Task GivenAModelWithItsLockFile_WhenModelIsAsked_ThenItNamesHashesMetricsLockAndInputs(string name)
    {
        var served = Models.Get(name);
        var model = served.Model;
        var lockFile = LockFile.Load(model.Spec.LockFile);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(model.ModelDirectory, "model.zip"))));
        var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(model.ModelDirectory, "schema.json"))).RootElement;
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(model.ModelDirectory, "metrics.json"))).RootElement;

        var response = await served.GetAsync("/model");
        var card = response.Json;

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        Assert.That(card.GetProperty("name").GetString(), Is.EqualTo("model"), "the lock file's project, model.csproj");
        Assert.That(card.GetProperty("version").GetString(), Is.EqualTo(sha256[..12]));
        Assert.That(card.GetProperty("task").GetString(), Is.EqualTo(model.Spec.Task.ToString().ToLowerInvariant()));
        Assert.That(card.GetProperty("label").GetString(), Is.EqualTo(model.Spec.Label));
        Assert.That(card.GetProperty("model").GetProperty("sha256").GetString(), Is.EqualTo(sha256));
        Assert.That(card.GetProperty("lock").GetProperty("matches_model").GetBoolean(), Is.True);
        Assert.That(card.GetProperty("lock").GetProperty("model_sha256").GetString(), Is.EqualTo(sha256));
        Assert.That(card.GetProperty("lock").GetProperty("params").GetProperty("MlopsTrainer").GetString(), Is.EqualTo(model.Spec.Trainer));
        Assert.That(card.GetProperty("lock").GetProperty("data").GetProperty("data/data.csv").GetString(), Is.EqualTo(lockFile.Stage(StepName.Train)!.Deps["data:data/data.csv"]));
        Assert.That(card.GetProperty("lock").GetProperty("versions").EnumerateObject().Select(version => version.Name), Is.EquivalentTo(new[] { "buildmlops", "mlnet", "runtime" }));
        Assert.That(card.GetProperty("metrics").EnumerateObject().Select(metric => metric.Name), Is.EqualTo(metrics.EnumerateObject().Select(metric => metric.Name)));
        foreach (var metric in metrics.EnumerateObject())
        {
            Assert.That(card.GetProperty("metrics").GetProperty(metric.Name).GetDouble(), Is.EqualTo(metric.Value.GetDouble()), metric.Name);
        }

        var features = schema.GetProperty("columns").EnumerateArray().Where(column => column.GetProperty("role").GetString() == "feature").ToList();
        var inputs = card.GetProperty("input").EnumerateArray().ToList();
        Assert.That(inputs.Select(input => (input.GetProperty("name").GetString(), input.GetProperty("type").GetString())),
            Is.EqualTo(features.Select(column => (column.GetProperty("name").GetString(), column.GetProperty("type").GetString()))));
        if (model.Spec.Task != Spec.TaskKind.Regression)
        {
            Assert.That(card.GetProperty("classes").EnumerateArray().Select(value => value.GetString()),
                Is.EqualTo(schema.GetProperty("label").GetProperty("counts").EnumerateObject().Select(count => count.Name).Order(StringComparer.Ordinal)));
        }
    }

    [Test]
    public async Task GivenPredictionsAndBadRequests_WhenMetricsAreScraped_ThenCountersHistogramsAndTheDistributionAreThere()
    {
        var served = Models.Get("churn");
        var (rows, records) = served.Model.TestSplit();
        var numeric = InProcess.NumericColumns(served.Model, rows);
        var before = Scrape((await served.GetAsync("/metrics")).Body);
        var body = InProcess.Json(json =>
        {
            json.WriteStartArray();
            foreach (var record in records.Take(10))
            {
                InProcess.WriteRecord(json, served.Model, record, numeric);
            }

            json.WriteEndArray();
        });
        var predicted = (await served.PostJsonAsync("/predict", body)).Json.EnumerateArray().ToList();
        await served.PostJsonAsync("/predict", "{}");
        await served.PostAsync("/predict", [], "text/plain");

        var response = await served.GetAsync("/metrics");
        var after = Scrape(response.Body);

        Assert.That(response.Status, Is.EqualTo(200));
        Assert.That(response.ContentType, Is.EqualTo("text/plain; version=0.0.4; charset=utf-8"));
        Assert.That(Delta("mlops_http_requests_total{endpoint=\"/predict\",status=\"200\"}"), Is.EqualTo(1));
        Assert.That(Delta("mlops_http_requests_total{endpoint=\"/predict\",status=\"400\"}"), Is.EqualTo(1));
        Assert.That(Delta("mlops_http_requests_total{endpoint=\"/predict\",status=\"415\"}"), Is.EqualTo(1));
        Assert.That(Delta("mlops_http_request_duration_seconds_count{endpoint=\"/predict\"}"), Is.EqualTo(3));
        Assert.That(after["mlops_http_request_duration_seconds_bucket{endpoint=\"/predict\",le=\"+Inf\"}"], Is.EqualTo(after["mlops_http_request_duration_seconds_count{endpoint=\"/predict\"}"]));
        Assert.That(Delta("mlops_predictions_total{label=\"Yes\"}"), Is.EqualTo(predicted.Count(p => p.GetProperty("label").GetString() == "Yes")));
        Assert.That(Delta("mlops_predictions_total{label=\"No\"}"), Is.EqualTo(predicted.Count(p => p.GetProperty("label").GetString() == "No")));
        Assert.That(Delta("mlops_prediction_probability_count"), Is.EqualTo(10));
        Assert.That(Delta("mlops_prediction_probability_bucket{le=\"0.5\"}"), Is.EqualTo(predicted.Count(p => p.GetProperty("probability").GetDouble() <= 0.5)));
        Assert.That(after["mlops_model_ready"], Is.EqualTo(1));
        Assert.That(after.Keys, Has.Some.StartsWith("mlops_model_info{name=\"model\""));
        Assert.That(after.Keys, Does.Contain("mlops_prediction_log_dropped_total"));

        double Delta(string series) => after[series] - before.GetValueOrDefault(series);
    }

    [Test]
    public async Task GivenARegressionAndAMulticlassModel_WhenMetricsAreScraped_ThenTheirDistributionsAreThere()
    {
        var concrete = Models.Get("concrete");
        var credit = Models.Get("credit");
        await concrete.PostJsonAsync("/invocations", "{\"inputs\": []}");

        var value = Scrape((await concrete.GetAsync("/metrics")).Body);
        var classes = Scrape((await credit.GetAsync("/metrics")).Body);

        Assert.That(value.Keys, Does.Contain("mlops_prediction_value_bucket{le=\"+Inf\"}"));
        Assert.That(value.Keys.Count(key => key.StartsWith("mlops_prediction_value_bucket", StringComparison.Ordinal)), Is.GreaterThan(5), "deciles of the test labels");
        Assert.That(value.Keys, Has.None.StartsWith("mlops_predictions_total"));
        foreach (var name in credit.Server.Model.Classes)
        {
            Assert.That(classes.Keys, Does.Contain($"mlops_predictions_total{{label=\"{name}\"}}"));
        }
    }

    [Test]
    public async Task GivenPredictions_WhenTheLogIsRead_ThenEachRecordHasALineWithTimestampInputAndOutput()
    {
        var served = Models.Get("credit");
        var (rows, records) = served.Model.TestSplit();
        var numeric = InProcess.NumericColumns(served.Model, rows);
        var marker = records.Select((record, i) => (record, i)).First(pair => pair.record.Any(field => field.Header == "Income" && field.Cell == "NA"));
        var body = InProcess.Json(json =>
        {
            json.WriteStartArray();
            InProcess.WriteRecord(json, served.Model, marker.record, numeric);
            json.WriteEndArray();
        });
        var started = DateTime.UtcNow;

        var output = (await served.PostJsonAsync("/predict", body)).Json[0];
        var line = await WaitForLogLineAsync(served.PredictionLog, line => line.Contains(output.GetRawText(), StringComparison.Ordinal)
            && line.Contains("\"Seniority\":" + marker.record.Single(field => field.Header == "Seniority").Cell + ",", StringComparison.Ordinal));

        var entry = JsonDocument.Parse(line).RootElement;
        Assert.That(entry.EnumerateObject().Select(property => property.Name), Is.EqualTo(new[] { "timestamp", "model", "input", "output" }));
        Assert.That(DateTime.Parse(entry.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), Is.GreaterThanOrEqualTo(started.AddSeconds(-1)));
        Assert.That(entry.GetProperty("model").GetString(), Is.EqualTo(served.Server.Model.Version));
        Assert.That(entry.GetProperty("output").GetRawText(), Is.EqualTo(output.GetRawText()));
        var input = entry.GetProperty("input");
        Assert.That(input.EnumerateObject().Select(property => property.Name), Is.EqualTo(served.Server.Model.Features.Select(feature => feature.Name)));
        Assert.That(input.GetProperty("Income").ValueKind, Is.EqualTo(JsonValueKind.Null), "a missing value is logged as null");
        Assert.That(input.GetProperty("Job").GetString(), Is.EqualTo(marker.record.Single(field => field.Header == "Job").Cell));
    }

    private static async Task<string> WaitForLogLineAsync(string path, Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (File.Exists(path))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                var lines = (await reader.ReadToEndAsync()).Split('\n');
                if (lines.FirstOrDefault(match) is { } line)
                {
                    return line;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"no matching line in {path} after 10 s");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Every sample of a Prometheus text exposition: series (name and labels) to value.</summary>
    private static Dictionary<string, double> Scrape(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.That(match.Success, Is.True, $"not a Prometheus sample line: '{line}'");
            samples.Add(match.Groups["series"].Value, double.Parse(match.Groups["value"].Value.Replace("+Inf", "Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture));
        }

        return samples;
    }

    [GeneratedRegex("""^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})?) (?<value>\S+)$""")]
    private static partial Regex SampleLine();
}
