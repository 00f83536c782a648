using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using NUnit.Framework;

namespace BuildMlops.Serving.Tests;

/// <summary>Bad input gets a 4xx with every problem listed, as JSON, and never a 500.</summary>
[TestFixture]
public sealed class BadRequestTests
{
    private static ServedModel Churn => Models.Get("churn");

    /// <summary>A valid churn record, as JSON text.</summary>
    private static string ValidRecord()
    {
        var (rows, records) = Churn.Model.TestSplit();
        return InProcess.Json(json => InProcess.WriteRecord(json, Churn.Model, records[0], InProcess.NumericColumns(Churn.Model, rows)));
    }

    [Test]
    public async Task GivenMissingUnknownAndMistypedFields_WhenPosted_ThenA400ListsEveryProblemWithItsRecordAndField()
    {
        var record = JsonNodeOf(ValidRecord());
        record.Remove("tenure");
        record.Remove("contract");
        record["colour"] = "blue";
        record["monthly_charges"] = "29.85";
        record["payment_method"] = true;
        record["internet_service"] = new System.Text.Json.Nodes.JsonObject();
        var good = JsonNodeOf(ValidRecord());
        var body = new System.Text.Json.Nodes.JsonArray(good, record, 42).ToJsonString();

        var response = await Churn.PostJsonAsync("/predict", body);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(Errors(response), Is.EquivalentTo(new[]
        {
            (1, "tenure", "missing: give a value, or null for a missing value"),
            (1, "contract", "missing: give a value, or null for a missing value"),
            (1, "colour", "unknown field: not a column of the model's data (GET /model lists its features)"),
            (1, "monthly_charges", "expected a number or null, not a string"),
            (1, "payment_method", "expected a string or null, not a boolean"),
            (1, "internet_service", "expected a string or null, not an object"),
            (2, (string?)null, "a record must be a JSON object, not a number"),
        }));
    }

    [Test]
    public async Task GivenAFieldTwiceAndANumberOutOfFloatRange_WhenPosted_ThenBothAreListed()
    {
        var body = ValidRecord().Replace("\"tenure\":", "\"tenure\":1e39,\"tenure\":", StringComparison.Ordinal);

        var response = await Churn.PostJsonAsync("/predict", body);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(Errors(response), Is.EquivalentTo(new[]
        {
            (0, "tenure", "the number is out of range for a 32-bit float"),
            (0, "tenure", "given more than once"),
        }));
    }

    [Test]
    public async Task GivenThousandsOfBadRecords_WhenPosted_ThenTheFirstThousandProblemsAreListedWithTheTotal()
    {
        var body = "[" + string.Join(",", Enumerable.Repeat("{}", 5000)) + "]";

        var response = await Churn.PostJsonAsync("/predict", body);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(response.Json.GetProperty("errors").GetArrayLength(), Is.EqualTo(1000));
        Assert.That(response.Json.GetProperty("error_count").GetInt32(), Is.EqualTo(5000 * Churn.Server.Model.Features.Count));
    }

    [TestCase("/predict")]
    [TestCase("/invocations")]
    public async Task GivenABodyOverTheLimitWithContentLength_WhenPosted_Then413(string path)
    {
        var body = Encoding.UTF8.GetBytes("[" + new string(' ', (int)ServingOptions.DefaultMaxBodyBytes) + "]");
        // As curl sends a large body: headers with Expect: 100-continue first. The server refuses on the
        // Content-Length alone and closes the connection; a client already writing the megabyte would get a broken
        // pipe before it could read the 413, depending on timing. This one waits for the verdict (up to 30 s).
        using var handler = new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) };
        using var client = new HttpClient(handler) { BaseAddress = Churn.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.ExpectContinue = true;

        using var http = await client.SendAsync(request);
        var response = await Response.ReadAsync(http);

        Assert.That(response.Status, Is.EqualTo(413), response.ToString());
        Assert.That(Errors(response).Single().Problem, Does.StartWith("the body is larger than 1048576 bytes"));
    }

    [Test]
    public async Task GivenAChunkedBodyOverTheLimit_WhenPosted_Then413()
    {
        var body = Encoding.UTF8.GetBytes("[" + new string(' ', (int)ServingOptions.DefaultMaxBodyBytes) + "]");
        using var content = new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var http = await Churn.Client.SendAsync(request);
        var response = await Response.ReadAsync(http);

        Assert.That(response.Status, Is.EqualTo(413), response.ToString());
    }

    [TestCase(null)]
    [TestCase("text/plain")]
    [TestCase("text/csv")]
    [TestCase("application/x-www-form-urlencoded")]
    [TestCase("application/json; charset=iso-8859-1")]
    public async Task GivenABodyThatIsNotDeclaredJson_WhenPosted_Then415(string? contentType)
    {
        var response = await Churn.PostAsync("/predict", Encoding.UTF8.GetBytes(ValidRecord()), contentType);

        Assert.That(response.Status, Is.EqualTo(415), response.ToString());
        Assert.That(Errors(response).Single().Problem, Does.StartWith("the body must be JSON sent as Content-Type: application/json"));
    }

    [TestCase("application/JSON")]
    [TestCase("application/json; charset=utf-8")]
    [TestCase("application/json; format=pandas-split")]
    public async Task GivenJsonWithParameters_WhenPosted_ThenItIsAccepted(string contentType)
    {
        var response = await Churn.PostAsync("/predict", Encoding.UTF8.GetBytes(ValidRecord()), contentType);

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
    }

    [TestCase("{\"tenure\": ")]
    [TestCase("{'tenure': 1}")]
    [TestCase("[{},]")]
    [TestCase("")]
    [TestCase("{} {}")]
    public async Task GivenMalformedJson_WhenPosted_Then400SaysWhere(string body)
    {
        var response = await Churn.PostJsonAsync("/predict", body);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(Errors(response).Single().Problem, Does.StartWith("malformed JSON: "));
    }

    [TestCase("\"a record\"", "the body must be a JSON object (one record) or an array of records, not a string")]
    [TestCase("null", "the body must be a JSON object (one record) or an array of records, not null")]
    public async Task GivenJsonThatIsNoRecord_WhenPostedToPredict_Then400SaysWhatIsExpected(string body, string problem)
    {
        var response = await Churn.PostJsonAsync("/predict", body);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(Errors(response), Is.EqualTo(new[] { ((int?)null, (string?)null, problem) }));
    }

    [TestCase("{}", null, "the body has none of dataframe_split, dataframe_records, inputs or instances")]
    [TestCase("{\"dataframe_split\": {\"data\": []}}", "dataframe_split.columns", "missing: give the column names")]
    [TestCase("{\"dataframe_records\": {}}", "dataframe_records", "must be an array of records, not an object")]
    [TestCase("{\"instances\": 3}", "instances", "must be an array of records or an object of columns, not a number")]
    [TestCase("{\"inputs\": [], \"params\": {\"temperature\": 1}}", "params", "this model takes no params")]
    [TestCase("{\"inputs\": [], \"dataframe_records\": []}", "dataframe_records", "give only one of dataframe_split, dataframe_records, inputs or instances")]
    [TestCase("{\"data\": []}", "data", "unknown key: give dataframe_split, dataframe_records, inputs or instances")]
    public async Task GivenABadMlflowRequest_WhenPostedToInvocations_Then400SaysWhatIsWrong(string body, string? field, string problem)
    {
        var response = await Churn.PostJsonAsync("/invocations", body);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(Errors(response), Does.Contain(((int?)null, field, problem)));
    }

    [Test]
    public async Task GivenADataframeSplitWithBadColumnsAndRows_WhenPosted_ThenEveryProblemIsListed()
    {
        var features = Churn.Server.Model.Features.Select(feature => feature.Name).Where(name => name != "tenure").ToList();
        var columns = features.Append("colour").Append("churn").ToList();
        var goodRow = features.Select(name => Churn.Server.Model.Features.Single(feature => feature.Name == name).Type == Spec.ColumnType.Numeric ? "1" : "\"x\"").Append("\"blue\"").Append("\"No\"");
        var body = $"{{\"dataframe_split\": {{\"columns\": {JsonSerializer.Serialize(columns)}, \"data\": [[{string.Join(",", goodRow)}], [1, 2], 7]}}}}";

        var response = await Churn.PostJsonAsync("/invocations", body);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(Errors(response), Is.EquivalentTo(new[]
        {
            ((int?)null, "colour", "unknown column: not a column of the model's data (GET /model lists its features)"),
            ((int?)null, "tenure", "missing column: give every feature a column (null cells for missing values)"),
            (1, (string?)null, $"the record has 2 values but there are {columns.Count} columns"),
            (2, (string?)null, "a record must be an array of values, one per column, not a number"),
        }));
    }

    [Test]
    public async Task GivenNastyBodies_WhenPosted_ThenNoneGetsA5xxAndEveryErrorIsJson()
    {
        var valid = ValidRecord();
        var bodies = new List<byte[]>();
        foreach (var text in new[]
        {
            "", " ", "null", "true", "-0", "1e999", "\"x\"", "[", "]", "{", "{]", "[1,2", "{\"a\":}", "[[[]]]", "[null]", "[{}]",
            "{\"tenure\": 1e999}", "{\"tenure\": -1e39}", "{\"tenure\": NaN}", "{\"tenure\": Infinity}", "{\"tenure\": 01}", "{\"tenure\": 1.}",
            "{\"tenure\": 12345678901234567890123456789012345678901234567890}", "{\"tenure\": \"\\u0000\"}",
            "{\"\\ud800\": 1}", "{\"contract\": \"\\ud800\"}", "{\"contract\": \"\\udc00\\ud800\"}", "[" + valid + "," + valid.Replace("\"contract\":\"", "\"contract\":\"\\ud83d", StringComparison.Ordinal) + "]",
            new string('[', 10_000) + new string(']', 10_000), new string('{', 5_000), "[" + string.Join(",", Enumerable.Repeat("[]", 20_000)) + "]",
            "{\"contract\": \"" + new string('x', 500_000) + "\"}", "/* comment */ {}", "{\"tenure\": 1,}",
            "{\"dataframe_split\": null}", "{\"dataframe_split\": {\"columns\": [1, null, {}], \"data\": [[1]]}}", "{\"inputs\": [[1, 2]]}",
            "{\"inputs\": {\"tenure\": [1, 2], \"contract\": [\"x\"]}}", "{\"inputs\": {\"tenure\": 5}}", "{\"dataframe_split\": {\"columns\": [\"tenure\", \"tenure\"], \"data\": [[1, 2]]}}",
            "{\"dataframe_records\": [null, 1, \"x\", []]}", "{\"params\": null}", valid.Replace("}", ",\"tenure\":null}", StringComparison.Ordinal),
        })
        {
            bodies.Add(Encoding.UTF8.GetBytes(text));
        }

        bodies.Add([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(valid)]);
        bodies.Add([0xFF, 0xFE, 0x00, 0x7B]);
        bodies.Add([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        bodies.Add([.. Encoding.UTF8.GetBytes("{\"contract\": \""), 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes("\"}")]);
        bodies.Add([.. Encoding.UTF8.GetBytes("{\"contract\": \""), 0x80, 0x80, .. Encoding.UTF8.GetBytes("\"}")]);
        var random = new Random(20240611);
        var bytes = Encoding.UTF8.GetBytes("[" + valid + "]");
        for (var i = 0; i < 300; i++)
        {
            var mutated = bytes.ToList();
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(mutated.Count);
                switch (random.Next(3))
                {
                    case 0:
                        mutated[at] = (byte)random.Next(256);
                        break;
                    case 1:
                        mutated.RemoveAt(at);
                        break;
                    default:
                        var inserts = "{}[]\",:\\0-e9\u00ff"u8;
                        mutated.Insert(at, inserts[random.Next(inserts.Length)]);
                        break;
                }
            }

            bodies.Add([.. mutated]);
        }

        foreach (var path in new[] { "/predict", "/invocations" })
        {
            foreach (var body in bodies)
            {
                var response = await Churn.PostAsync(path, body, "application/json");
                var shown = Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)]);
                Assert.That(response.Status, Is.AnyOf(200, 400), $"{path} {shown}: {response}");
                if (response.Status != 200)
                {
                    Assert.That(Errors(response), Is.Not.Empty, $"{path} {shown}: {response}");
                }
            }
        }

        var metrics = await Churn.GetAsync("/metrics");
        Assert.That(metrics.Body, Does.Not.Contain("status=\"500\""));
    }

    internal static List<(int? Record, string? Field, string Problem)> Errors(Response response)
    {
        Assert.That(response.ContentType, Is.EqualTo("application/json; charset=utf-8"), response.ToString());
        return [.. response.Json.GetProperty("errors").EnumerateArray().Select(error => (
            error.GetProperty("record").ValueKind == JsonValueKind.Null ? (int?)null : error.GetProperty("record").GetInt32(),
            error.GetProperty("field").GetString(),
            error.GetProperty("problem").GetString()!))];
    }

    private static System.Text.Json.Nodes.JsonObject JsonNodeOf(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();

    /// <summary>A stream whose length HttpClient cannot know, so the body goes chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
