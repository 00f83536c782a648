using System.Globalization;
using System.Text.Json.Nodes;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Spec;

namespace BuildMlops.Data;

/// <summary>
/// A real input for a smoke test: the first row of the training data with every feature present,
/// as the JSON record <c>/predict</c> takes (numbers as numbers, the label left out), typed by the
/// model's own schema.json. The smoke test of a model image sends it to the running container.
/// </summary>
public static class SampleRecord
{
    /// <summary>The record as JSON; BM7010 when no data file is present or no row has every feature.</summary>
    public static string FromTrainingData(ModelSpec model)
    {
        var schemaPath = model.PathOf(StepOutputs.Schema);
        var schema = JsonNode.Parse(File.ReadAllText(schemaPath))!;
        var features = (schema["columns"]?.AsArray() ?? [])
            .Where(column => (string?)column?["role"] == "feature")
            .Select(column => (Name: (string)column!["name"]!, Numeric: (string?)column["type"] == "numeric"))
            .ToList();
        var dataFile = model.DataFiles.FirstOrDefault(file => File.Exists(file.FullPath))
            ?? throw new MlopsException(ErrorCodes.SmokeTestFailed, new SourceLocation(model.ProjectFile), "no data file to take a sample row from", "Build the project first so its data is present");
        var table = CsvReader.Read(dataFile.FullPath, dataFile.Name, model.Separator);
        var missing = new HashSet<string>(model.MissingValues, StringComparer.Ordinal);
        foreach (var row in table.Records)
        {
            var record = new JsonObject();
            var complete = true;
            foreach (var (name, numeric) in features)
            {
                var index = IndexOf(table.Header, name);
                var cell = index >= 0 && index < row.Fields.Length ? row.Fields[index] : "";
                if (cell.Length == 0 || missing.Contains(cell))
                {
                    complete = false;
                    break;
                }

                if (numeric)
                {
                    if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    {
                        complete = false;
                        break;
                    }

                    record[name] = number;
                }
                else
                {
                    record[name] = cell;
                }
            }

            if (complete)
            {
                return record.ToJsonString();
            }
        }

        throw new MlopsException(ErrorCodes.SmokeTestFailed, new SourceLocation(dataFile.FullPath), "no row of the training data has every feature present", "Add a complete row, or call /predict by hand");
    }

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}
