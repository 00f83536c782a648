using System.Text.Json;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Training.Tests;

/// <summary>
/// Runs the scikit-learn oracle (Oracles/sklearn_metrics.py) with Debian's python3, where
/// python3-sklearn lives (.ci/run installs it). BUILDMLOPS_PYTHON names another interpreter.
/// A missing scikit-learn fails the test: an oracle that is not there checks nothing.
/// </summary>
internal static class ScikitLearn
{
    public static Dictionary<string, double> Metrics(string task, string predictionsCsv, string positiveClass)
    {
        var python = Environment.GetEnvironmentVariable("BUILDMLOPS_PYTHON") is { Length: > 0 } configured ? configured : "/usr/bin/python3";
        var script = Path.Combine(AppContext.BaseDirectory, "Oracles", "sklearn_metrics.py");
        var result = ProcessRunner.Run(python, [script, task, predictionsCsv, positiveClass], AppContext.BaseDirectory);
        if (result.ExitCode != 0)
        {
            Assert.Fail($"the scikit-learn oracle failed (apt-get install python3-sklearn, or set BUILDMLOPS_PYTHON): {result}");
        }

        return JsonSerializer.Deserialize<Dictionary<string, double>>(result.StandardOutput)!;
    }
}
