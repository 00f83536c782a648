using System.CommandLine;
using System.Globalization;
using BuildMlops.Serving;

// mlops-serve: serves one model directory over HTTP; the entry point of a model image. Every option
// falls back to an environment variable, so a container is configured without a command line.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var modelDirectory = new Option<string?>("--model-dir") { Description = $"The folder holding model.zip, schema.json and metrics.json (env {ServingEnvironment.ModelDirectory}; default: the current directory)" };
var urls = new Option<string?>("--urls") { Description = $"Addresses to listen on, separated by ';' (env {ServingEnvironment.Urls}; default {ServingOptions.ContainerUrls})" };
var predictionLog = new Option<string?>("--log-predictions") { Description = $"Append one JSON line per scored record to this file (env {ServingEnvironment.PredictionLog})" };
var maxBody = new Option<string?>("--max-body-bytes") { Description = $"Largest request body; larger ones get 413 (env {ServingEnvironment.MaxBodyBytes}; default 1MiB)" };
var lockFile = new Option<string?>("--lock-file") { Description = $"The model project's mlops.lock.json, shown by GET /model (env {ServingEnvironment.LockFile}; default: the model directory's, if any)" };
var name = new Option<string?>("--model-name") { Description = $"The model's name (env {ServingEnvironment.ModelName}; default: the lock file's project)" };
var version = new Option<string?>("--model-version") { Description = $"The model's version (env {ServingEnvironment.ModelVersion}; default: the first 12 hex digits of model.zip's SHA-256)" };
var buckets = new Option<string?>("--value-buckets") { Description = $"Regression: upper bounds of the predicted-value histogram, e.g. 10,20,50 (env {ServingEnvironment.ValueBuckets})" };

var root = new RootCommand("mlops-serve: serve a BuildMlops model over HTTP (POST /predict, POST /invocations, GET /health, /ready, /model, /metrics)")
{
    modelDirectory, urls, predictionLog, maxBody, lockFile, name, version, buckets,
};
root.SetAction((parse, cancellationToken) => ServeCommandLine.RunAsync(
    () => ServingOptions.Resolve(
        modelDirectory: parse.GetValue(modelDirectory),
        urls: parse.GetValue(urls),
        predictionLog: parse.GetValue(predictionLog),
        maxBodyBytes: parse.GetValue(maxBody),
        lockFile: parse.GetValue(lockFile),
        modelName: parse.GetValue(name),
        modelVersion: parse.GetValue(version),
        valueBuckets: parse.GetValue(buckets),
        defaultUrls: ServingOptions.ContainerUrls),
    cancellationToken));

return await root.Parse(args).InvokeAsync();
