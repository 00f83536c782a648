using System.Text.Json;
using BuildMlops.Spec;
using NUnit.Framework;

namespace BuildMlops.Serving.Tests;

/// <summary>The server's predictions are the model's: the same floats as scoring the test split in-process.</summary>
[TestFixture]
public sealed class PredictionTests
{
    private const int BatchSize = 250;

    [TestCaseSource(typeof(Models), nameof(Models.Names))]
    public async Task GivenTheTestSplit_WhenPostedToPredictInBatches_ThenEveryPredictionEqualsInProcessScoring(string name)
    {
        var served = Models.Get(name);
        var (rows, records) = served.Model.TestSplit();
        var expected = InProcess.Predict(served.Model, rows);
        var numeric = InProcess.NumericColumns(served.Model, rows);

        var actual = new List<JsonElement>();
        for (var start = 0; start < records.Count; start += BatchSize)
        {
            var body = InProcess.Json(json =>
            {
                json.WriteStartArray();
                foreach (var record in records.Skip(start).Take(BatchSize))
                {
                    InProcess.WriteRecord(json, served.Model, record, numeric);
                }

                json.WriteEndArray();
            });
            var response = await served.PostJsonAsync("/predict", body);
            Assert.That(response.Status, Is.EqualTo(200), response.ToString());
            actual.AddRange(response.Json.EnumerateArray().Select(element => element.Clone()));
        }

        Assert.That(actual, Has.Count.EqualTo(expected.Count));
        for (var i = 0; i < expected.Count; i++)
        {
            AssertSame(served.Model.Spec.Task, actual[i], expected[i], $"test row {i} (line {rows.Lines[i]})");
        }
    }

    [TestCaseSource(typeof(Models), nameof(Models.Names))]
    public async Task GivenOneRecordAsAnObject_WhenPostedToPredict_ThenTheAnswerIsOneObject(string name)
    {
        var served = Models.Get(name);
        var (rows, records) = served.Model.TestSplit();
        var expected = InProcess.Predict(served.Model, rows);
        var numeric = InProcess.NumericColumns(served.Model, rows);

        var response = await served.PostJsonAsync("/predict", InProcess.Json(json => InProcess.WriteRecord(json, served.Model, records[7], numeric)));

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        Assert.That(response.ContentType, Is.EqualTo("application/json; charset=utf-8"));
        Assert.That(response.Json.ValueKind, Is.EqualTo(JsonValueKind.Object));
        AssertSame(served.Model.Spec.Task, response.Json, expected[7], "test row 7");
    }

    [TestCaseSource(typeof(Models), nameof(Models.Names))]
    public async Task GivenMlflowDataframeSplit_WhenPostedToInvocations_ThenPredictionsEqualInProcessScoring(string name)
    {
        var served = Models.Get(name);
        var (rows, records) = served.Model.TestSplit();
        var expected = InProcess.Predict(served.Model, rows);
        var numeric = InProcess.NumericColumns(served.Model, rows);
        var sample = records.Take(100).ToList();

        var body = InProcess.Json(json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("dataframe_split");
            json.WriteStartArray("columns");
            foreach (var (header, _) in sample[0])
            {
                json.WriteStringValue(header);
            }

            json.WriteEndArray();
            json.WriteStartArray("index");
            for (var i = 0; i < sample.Count; i++)
            {
                json.WriteNumberValue(i);
            }

            json.WriteEndArray();
            json.WriteStartArray("data");
            foreach (var record in sample)
            {
                json.WriteStartArray();
                foreach (var (header, cell) in record)
                {
                    InProcess.WriteCell(json, served.Model, cell, numeric.Contains(header));
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        });
        var response = await served.PostJsonAsync("/invocations", body);

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        AssertInvocations(served, response, expected.Take(sample.Count).ToList());
    }

    [TestCaseSource(typeof(Models), nameof(Models.Names))]
    public async Task GivenMlflowDataframeRecords_WhenPostedToInvocations_ThenPredictionsEqualInProcessScoring(string name)
    {
        var served = Models.Get(name);
        var (rows, records) = served.Model.TestSplit();
        var expected = InProcess.Predict(served.Model, rows);
        var numeric = InProcess.NumericColumns(served.Model, rows);
        var sample = records.Skip(100).Take(100).ToList();

        var body = InProcess.Json(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("dataframe_records");
            foreach (var record in sample)
            {
                InProcess.WriteRecord(json, served.Model, record, numeric);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
        var response = await served.PostAsync("/invocations", System.Text.Encoding.UTF8.GetBytes(body), "application/json; format=pandas-records");

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        AssertInvocations(served, response, expected.Skip(100).Take(sample.Count).ToList());
    }

    [Test]
    public async Task GivenMlflowInputsAsColumns_WhenPostedToInvocations_ThenEachColumnsValuesFormTheRecords()
    {
        var served = Models.Get("concrete");
        var (rows, records) = served.Model.TestSplit();
        var expected = InProcess.Predict(served.Model, rows);
        var numeric = InProcess.NumericColumns(served.Model, rows);
        var sample = records.Take(5).ToList();

        var body = InProcess.Json(json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("inputs");
            for (var column = 0; column < sample[0].Length; column++)
            {
                json.WriteStartArray(sample[0][column].Header);
                foreach (var record in sample)
                {
                    InProcess.WriteCell(json, served.Model, record[column].Cell, numeric.Contains(record[column].Header));
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        });
        var response = await served.PostJsonAsync("/invocations", body);

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        AssertInvocations(served, response, expected.Take(5).ToList());
    }

    [Test]
    public async Task GivenAnEmptyArray_WhenPostedToPredict_ThenTheAnswerIsAnEmptyArray()
    {
        var response = await Models.Get("churn").PostJsonAsync("/predict", "[]");

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        Assert.That(response.Body.Trim(), Is.EqualTo("[]"));
    }

    [Test]
    public async Task GivenNullsAndPaddedText_WhenPosted_ThenTheyScoreAsTheirCsvCellsDidInTraining()
    {
        // credit has missing numbers (Income, Assets, Debt) and text: null must score as NA did in training.
        var served = Models.Get("credit");
        var (rows, records) = served.Model.TestSplit();
        var expected = InProcess.Predict(served.Model, rows);
        var numeric = InProcess.NumericColumns(served.Model, rows);
        var withMissing = Enumerable.Range(0, records.Count).First(i => records[i].Any(field => field.Cell == "NA" && numeric.Contains(field.Header)));

        var padded = records[withMissing].Select(field => numeric.Contains(field.Header) || field.Header == "Home" ? field : (field.Header, "  " + field.Cell + " ")).ToArray();
        var response = await served.PostJsonAsync("/predict", InProcess.Json(json => InProcess.WriteRecord(json, served.Model, padded, numeric)));

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        AssertSame(TaskKind.Multiclass, response.Json, expected[withMissing], $"test row {withMissing}");
    }

    [Test]
    public async Task GivenANumberForATextFeature_WhenPosted_ThenItIsReadAsItsText()
    {
        // churn's text columns hold words; a number is accepted as text and is an unknown category.
        var served = Models.Get("churn");
        var (rows, records) = served.Model.TestSplit();
        var numeric = InProcess.NumericColumns(served.Model, rows);
        var record = records[0].Select(field => field.Header == "contract" ? (field.Header, "12") : field).ToArray();
        var body = InProcess.Json(json => InProcess.WriteRecord(json, served.Model, record, numeric)).Replace("\"contract\":\"12\"", "\"contract\":12", StringComparison.Ordinal);
        var asText = InProcess.Json(json => InProcess.WriteRecord(json, served.Model, record, numeric));

        var number = await served.PostJsonAsync("/predict", body);
        var text = await served.PostJsonAsync("/predict", asText);

        Assert.That(body, Does.Contain("\"contract\":12"));
        Assert.That(number.Status, Is.EqualTo(200), number.ToString());
        Assert.That(number.Body, Is.EqualTo(text.Body));
    }

    [Test]
    public async Task GivenAMissingValueTokenOrBlankForText_WhenPosted_ThenItScoresAsNull()
    {
        var served = Models.Get("churn");
        var (rows, records) = served.Model.TestSplit();
        var numeric = InProcess.NumericColumns(served.Model, rows);
        string With(string contract) => InProcess.Json(json => InProcess.WriteRecord(json, served.Model, [.. records[3].Select(field => field.Header == "contract" ? (field.Header, contract) : field)], numeric));

        var asNull = await served.PostJsonAsync("/predict", With(""));
        var asToken = await served.PostJsonAsync("/predict", With("NA").Replace("\"contract\":null", "\"contract\":\"NA\"", StringComparison.Ordinal));
        var asBlank = await served.PostJsonAsync("/predict", With("   ").Replace("\"contract\":null", "\"contract\":\"   \"", StringComparison.Ordinal));

        Assert.That(With("").Contains("\"contract\":null", StringComparison.Ordinal), Is.True);
        Assert.That(asNull.Status, Is.EqualTo(200), asNull.ToString());
        Assert.That(asToken.Body, Is.EqualTo(asNull.Body));
        Assert.That(asBlank.Body, Is.EqualTo(asNull.Body));
    }

    [Test]
    public async Task GivenManyConcurrentRequests_WhenPosted_ThenEachGetsItsOwnRecordsPrediction()
    {
        var served = Models.Get("credit");
        var (rows, records) = served.Model.TestSplit();
        var expected = InProcess.Predict(served.Model, rows);
        var numeric = InProcess.NumericColumns(served.Model, rows);
        var bodies = records.Take(400).Select(record => InProcess.Json(json => InProcess.WriteRecord(json, served.Model, record, numeric))).ToList();

        var responses = new Response[bodies.Count];
        await Parallel.ForAsync(0, bodies.Count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            responses[i] = await served.PostJsonAsync("/predict", bodies[i]));

        for (var i = 0; i < bodies.Count; i++)
        {
            Assert.That(responses[i].Status, Is.EqualTo(200), responses[i].ToString());
            AssertSame(TaskKind.Multiclass, responses[i].Json, expected[i], $"test row {i}");
        }
    }

    private static void AssertInvocations(ServedModel served, Response response, IReadOnlyList<InProcess.Expected> expected)
    {
        var predictions = response.Json.GetProperty("predictions").EnumerateArray().ToList();
        Assert.That(predictions, Has.Count.EqualTo(expected.Count));
        for (var i = 0; i < expected.Count; i++)
        {
            if (served.Model.Spec.Task == TaskKind.Regression)
            {
                // MLflow's form for a regressor: the bare value.
                Assert.That(predictions[i].GetSingle(), Is.EqualTo(expected[i].Score), $"record {i}");
            }
            else
            {
                AssertSame(served.Model.Spec.Task, predictions[i], expected[i], $"record {i}");
            }
        }
    }

    private static void AssertSame(TaskKind task, JsonElement actual, InProcess.Expected expected, string what)
    {
        switch (task)
        {
            case TaskKind.Binary:
                Assert.That(actual.EnumerateObject().Select(property => property.Name), Is.EqualTo(new[] { "label", "probability", "score" }), what);
                Assert.That(actual.GetProperty("label").GetString(), Is.EqualTo(expected.Label), what);
                Assert.That(actual.GetProperty("probability").GetSingle(), Is.EqualTo(expected.Probability), what);
                Assert.That(actual.GetProperty("score").GetSingle(), Is.EqualTo(expected.Score), what);
                break;
            case TaskKind.Regression:
                Assert.That(actual.EnumerateObject().Select(property => property.Name), Is.EqualTo(new[] { "value" }), what);
                Assert.That(actual.GetProperty("value").GetSingle(), Is.EqualTo(expected.Score), what);
                break;
            default:
                Assert.That(actual.GetProperty("label").GetString(), Is.EqualTo(expected.Label), what);
                var probabilities = actual.GetProperty("probabilities").EnumerateObject().ToDictionary(property => property.Name, property => property.Value.GetSingle());
                foreach (var (name, probability) in expected.Probabilities!)
                {
                    Assert.That(probabilities[name], Is.EqualTo(probability), $"{what}, class {name}");
                }

                Assert.That(probabilities.Keys, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal), what);
                break;
        }
    }
}
