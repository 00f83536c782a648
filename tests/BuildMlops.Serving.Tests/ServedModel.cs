using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace BuildMlops.Serving.Tests;

/// <summary>A trained model served by a real <see cref="ModelServer"/> on 127.0.0.1 (a free port), and an HTTP client for it.</summary>
internal sealed class ServedModel : IAsyncDisposable
{
    private ServedModel(TrainedModel model, ModelServer server, string predictionLog)
    {
        Model = model;
        Server = server;
        PredictionLog = predictionLog;
        Client = new HttpClient { BaseAddress = new Uri(server.Addresses.Single()), Timeout = TimeSpan.FromSeconds(30) };
    }

    public TrainedModel Model { get; }

    public ModelServer Server { get; }

    public HttpClient Client { get; }

    public string PredictionLog { get; }

    public static async Task<ServedModel> StartAsync(TrainedModel model)
    {
        var log = model.Scratch("predictions.jsonl");
        var server = ModelServer.Create(new ServingOptions
        {
            ModelDirectory = model.ModelDirectory,
            LockFile = model.Spec.LockFile,
            Urls = ["http://127.0.0.1:0"],
            PredictionLog = log,
            Status = null,
        });
        await server.StartAsync();
        await server.WaitUntilReadyAsync();
        return new ServedModel(model, server, log);
    }

    public Task<Response> PostJsonAsync(string path, string json) => PostAsync(path, Encoding.UTF8.GetBytes(json), "application/json");

    public async Task<Response> PostAsync(string path, byte[] body, string? contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        using var response = await Client.PostAsync(path, content);
        return await Response.ReadAsync(response);
    }

    public async Task<Response> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return await Response.ReadAsync(response);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>An HTTP response read to the end.</summary>
internal sealed record Response(int Status, string? ContentType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public static async Task<Response> ReadAsync(HttpResponseMessage response) =>
        new((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsStringAsync());

    public override string ToString() => $"{Status} {ContentType}: {(Body.Length > 2000 ? Body[..2000] + "..." : Body)}";
}
