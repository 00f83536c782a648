namespace BuildMlops.Images.Docker;

/// <summary>What a passed <see cref="DockerEngine.SmokeTestAsync"/> saw.</summary>
/// <param name="HealthStatus">The HTTP status of GET /health (200).</param>
/// <param name="PredictStatus">The HTTP status of POST /predict with the sample (200).</param>
/// <param name="PredictBody">The prediction(s) /predict answered, as JSON text.</param>
/// <param name="StartupTime">From starting the container until /ready answered 200: until the model could serve.</param>
public sealed record SmokeTestResult(int HealthStatus, int PredictStatus, string PredictBody, TimeSpan StartupTime);
