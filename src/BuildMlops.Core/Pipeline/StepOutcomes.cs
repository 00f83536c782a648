using System.Text.Json;
using BuildMlops.IO;

namespace BuildMlops.Pipeline;

/// <summary>How the last build of a project got a step's outputs.</summary>
public enum StepOutcome
{
    /// <summary>The step ran here (trained, for the train step).</summary>
    Ran,

    /// <summary>The run cache had a run with the same dependencies: its outputs were restored instead.</summary>
    Restored,

    /// <summary>The outputs already matched the lock file: nothing ran.</summary>
    UpToDate,
}

/// <summary>
/// What the last build did with each step (<c>obj/mlops/outcomes.json</c>): ran it, restored it from the run cache or
/// found it up to date. The outputs and the lock file are byte for byte the same whichever it was, so this file is the
/// only record a later process has of it: <c>mlops ci pr-report</c> reads it, in the same job or in a report job that
/// downloaded the project's <c>obj/mlops/</c>, to tell a reviewer whether the model was trained or restored.
/// Written under the project's step lock, as each step ends. A step that fails is removed with every step after it:
/// what they record was made from outputs that are now gone or stale.
/// </summary>
public static class StepOutcomes
{
    /// <summary>The file's name in the project's intermediate directory.</summary>
    public const string FileName = "outcomes.json";

    /// <summary>The file of the project whose intermediate directory is <paramref name="intermediateDirectory"/>.</summary>
    public static string PathIn(string intermediateDirectory) => Path.Combine(intermediateDirectory, FileName);

    /// <summary>Records <paramref name="outcome"/> for <paramref name="step"/>, keeping the other steps'; null: the step failed.</summary>
    public static void Record(string intermediateDirectory, StepName step, StepOutcome? outcome, string? restoredFrom = null)
    {
        var path = PathIn(intermediateDirectory);
        var entries = ReadAll(path);
        if (outcome is null)
        {
            // The step's outputs are gone or stale, and so is what the steps after it made from them.
            foreach (var later in StepNames.InOrder.Where(later => later >= step))
            {
                entries.Remove(later.Key());
            }
        }
        else
        {
            entries[step.Key()] = (outcome.Value, outcome == StepOutcome.Restored ? restoredFrom : null);
        }

        AtomicFile.WriteAllText(path, DeterministicJson.Write(writer =>
        {
            writer.WriteStartObject();
            foreach (var known in StepNames.InOrder.Where(known => entries.ContainsKey(known.Key())))
            {
                var (recorded, source) = entries[known.Key()];
                writer.WriteStartObject(known.Key());
                writer.WriteString("outcome", Name(recorded));
                if (source is not null)
                {
                    writer.WriteString("restored_from", source);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }));
    }

    /// <summary>What the last build recorded for <paramref name="step"/>; null when it recorded nothing (or the file is unreadable).</summary>
    public static StepOutcome? Read(string intermediateDirectory, StepName step) =>
        ReadAll(PathIn(intermediateDirectory)).TryGetValue(step.Key(), out var entry) ? entry.Outcome : null;

    private static Dictionary<string, (StepOutcome Outcome, string? RestoredFrom)> ReadAll(string path)
    {
        var entries = new Dictionary<string, (StepOutcome, string?)>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return entries;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Object
                    && property.Value.TryGetProperty("outcome", out var outcome)
                    && Parse(outcome.GetString()) is { } parsed)
                {
                    var source = property.Value.TryGetProperty("restored_from", out var from) ? from.GetString() : null;
                    entries[property.Name] = (parsed, source);
                }
            }
        }
        catch (Exception exception) when (exception is JsonException or IOException or InvalidOperationException)
        {
            // A damaged record only loses what it said about earlier steps; the next build writes it whole again.
        }

        return entries;
    }

    private static string Name(StepOutcome outcome) => outcome switch
    {
        StepOutcome.Ran => "ran",
        StepOutcome.Restored => "restored",
        _ => "up_to_date",
    };

    private static StepOutcome? Parse(string? name) => name switch
    {
        "ran" => StepOutcome.Ran,
        "restored" => StepOutcome.Restored,
        "up_to_date" => StepOutcome.UpToDate,
        _ => null,
    };
}
