using System.Diagnostics;
using BuildMlops.Diagnostics;
using BuildMlops.Spec;

namespace BuildMlops.Cli.Projects;

/// <summary>
/// Gets a project's settings the way a build does: MSBuild evaluates the project and the SDK's
/// MlopsWriteSpec target writes obj/mlops/spec.json. The CLI thus sees exactly the properties,
/// imports and defaults a <c>dotnet build</c> would, with no second parser of project files.
/// </summary>
internal static class SpecLoader
{
    public static ModelSpec Load(string projectFile, IReadOnlyList<string> properties) =>
        ModelSpecParser.Parse(LoadRaw(projectFile, properties));

    /// <summary>The spec as MSBuild wrote it, for settings beyond the model's own (the image's).</summary>
    public static RawSpec LoadRaw(string projectFile, IReadOnlyList<string> properties)
    {
        var arguments = new List<string>
        {
            "msbuild", projectFile, "-restore", "-nologo", "-verbosity:quiet", "-nodeReuse:false",
            "-target:MlopsWriteSpec", "-getProperty:MlopsSpecFile",
        };
        arguments.AddRange(properties.Select(property => "-property:" + property));
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start dotnet");
        var errorTask = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var errors = errorTask.Result;
        if (process.ExitCode != 0)
        {
            // MSBuild already wrote the BMnnnn errors of a bad project in canonical form; pass them on.
            var text = (output + errors).Trim();
            throw new MlopsException(
                ErrorCodes.SpecUnavailable,
                new SourceLocation(projectFile),
                "the project could not be evaluated:" + Environment.NewLine + text,
                "Fix the errors above; 'dotnet build' shows the same ones");
        }

        var specFile = output.Trim().Split('\n').Last().Trim();
        if (!File.Exists(specFile))
        {
            throw new MlopsException(ErrorCodes.SpecUnavailable, new SourceLocation(projectFile), "the project wrote no model spec: is it a BuildMlops model project?", "Use <Project Sdk=\"BuildMlops.Sdk/...\">, or import the SDK's Sdk.props and Sdk.targets");
        }

        return RawSpec.FromJson(File.ReadAllText(specFile));
    }

    public static ModelSpec LoadFile(string specFile) => ModelSpecParser.Parse(RawSpec.FromJson(File.ReadAllText(specFile)));

    /// <summary>The dotnet that runs us (MSBuild sets DOTNET_HOST_PATH for its children), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
