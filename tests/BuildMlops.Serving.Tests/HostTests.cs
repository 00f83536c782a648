using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace BuildMlops.Serving.Tests;

/// <summary>The <c>mlops-serve</c> executable, as a container runs it: configured by the environment, stopped by a signal.</summary>
[TestFixture]
public sealed partial class HostTests
{
    [Test]
    public async Task GivenTheModelDirectoryInTheEnvironment_WhenMlopsServeRuns_ThenItServesAndHonoursItsOptions()
    {
        var model = Models.Get("concrete").Model;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "mlops-serve.dll"), "--max-body-bytes", "2KiB", "--model-version", "v7" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["MLOPS_MODEL_DIR"] = model.ModelDirectory;
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            var address = await ListeningAddressAsync(process);
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            await WaitReadyAsync(client);

            var card = await client.GetStringAsync("/model");
            using var tooLarge = await client.PostAsync("/predict", new StringContent("[" + new string(' ', 3000) + "]", Encoding.UTF8, "application/json"));

            Assert.That(card, Does.Contain("\"version\": \"v7\""));
            Assert.That(card, Does.Contain("\"lock\": null"), "no lock file in the model directory, and none given");
            Assert.That(tooLarge.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.That(await error, Is.Empty);
    }

    [Test]
    public async Task GivenAMissingModelDirectory_WhenMlopsServeRuns_ThenItExits1WithBM6001()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "mlops-serve.dll"), "--model-dir", Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N")) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.That(process.ExitCode, Is.EqualTo(1));
        Assert.That(error, Does.Contain("error BM6001: the model directory does not exist"));
    }

    private static async Task<string> ListeningAddressAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ListeningOn().Match(line) is { Success: true } match)
            {
                return match.Groups["address"].Value;
            }
        }

        Assert.Fail("mlops-serve never said where it listens");
        return "";
    }

    private static async Task WaitReadyAsync(HttpClient client)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var ready = await client.GetAsync("/ready");
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            await Task.Delay(100);
        }

        Assert.Fail("the model never became ready");
    }

    [GeneratedRegex(@"^serving model '.*' \(.*\) on (?<address>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();
}
