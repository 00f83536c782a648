using System.Globalization;
using BuildMlops.Data;
using BuildMlops.Diagnostics;
using BuildMlops.Pipeline;
using BuildMlops.Spec;

namespace BuildMlops.ValidateData;

/// <summary>
/// The validate step's logic, and the one way every step turns data files into model input: reads
/// the files, infers or checks column types, resolves the label, applies the missing-value policy,
/// and rejects what cannot be trained on with a BMnnnn error naming file, line and column.
/// </summary>
public static class DataPreparer
{
    /// <summary>Numbers in at least this share of a column's cells make a stray word an error, not text.</summary>
    private const double NumericColumnThreshold = 0.9;

    private const int MinimumRows = 10;

    private static readonly string[] ReservedNames = ["Label", "Features", "Score", "Probability", "PredictedLabel"];
    private static readonly string[] PositiveWords = ["1", "true", "yes", "y", "positive", "pos"];

    public static (PreparedData Data, DataProfile Profile) Prepare(ModelSpec spec, IMlopsLog log)
    {
        var files = spec.DataFiles.SelectMany(Expand).ToList();
        var paths = files.ToDictionary(file => file.Name, file => file.FullPath);
        var tables = files.Select(file => CsvReader.Read(file.FullPath, file.Name, spec.Separator)).ToList();
        var header = tables[0].Header;
        foreach (var table in tables.Skip(1).Where(table => !table.Header.SequenceEqual(header)))
        {
            throw new MlopsException(
                ErrorCodes.DataFilesDisagree,
                new SourceLocation(paths[table.FileName], 1, 1),
                $"the header of '{table.FileName}' differs from that of '{tables[0].FileName}'",
                "Give every MlopsData file of a project the same columns in the same order");
        }

        var records = tables.SelectMany(table => table.Records).ToList();
        var firstFile = paths[tables[0].FileName];
        if (records.Count == 0)
        {
            throw new MlopsException(ErrorCodes.DataFileEmpty, new SourceLocation(firstFile), $"data file '{tables[0].FileName}' has a header but no records", "Add data rows below the header");
        }

        var columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            if (!columnIndex.TryAdd(header[i], i))
            {
                throw new MlopsException(ErrorCodes.MalformedCsv, new SourceLocation(firstFile, 1, 1), $"column '{header[i]}' appears twice in the header", "Give every column a distinct name");
            }
        }

        string Columns() => string.Join(", ", header);
        if (!columnIndex.TryGetValue(spec.Label, out var labelIndex))
        {
            throw new MlopsException(
                ErrorCodes.LabelColumnMissing,
                new SourceLocation(firstFile, 1, 1),
                $"label column '{spec.Label}' is not in '{tables[0].FileName}' (columns: {Columns()})",
                $"Set {SettingNames.Label} in {Path.GetFileName(spec.ProjectFile)} to the column the model should predict");
        }

        foreach (var column in spec.Columns.Where(column => !columnIndex.ContainsKey(column.Name)))
        {
            throw new MlopsException(ErrorCodes.FeatureColumnMissing, ProjectFileLocator.Item(spec.ProjectFile, SettingNames.ColumnItem, column.Name), $"MlopsColumn '{column.Name}' is not a column of the data (columns: {Columns()})", "Fix the name or remove the item");
        }

        var ignored = spec.Columns.Where(column => column.Ignore).Select(column => column.Name).ToHashSet(StringComparer.Ordinal);
        var featureNames = spec.Features.Count > 0
            ? spec.Features.ToList()
            : header.Where(name => name != spec.Label && !ignored.Contains(name)).ToList();
        foreach (var name in featureNames.Where(name => !columnIndex.ContainsKey(name)))
        {
            throw new MlopsException(ErrorCodes.FeatureColumnMissing, ProjectFileLocator.Property(spec.ProjectFile, SettingNames.Features), $"feature column '{name}' is not in the data (columns: {Columns()})", $"Fix {SettingNames.Features}, or leave it empty to use every column but the label");
        }

        if (featureNames.Contains(spec.Label, StringComparer.Ordinal))
        {
            throw new MlopsException(ErrorCodes.FeatureColumnMissing, ProjectFileLocator.Property(spec.ProjectFile, SettingNames.Features), $"label column '{spec.Label}' is listed as a feature", $"Remove it from {SettingNames.Features}: a model may not see the answer it predicts");
        }

        foreach (var name in featureNames.Where(name => ReservedNames.Contains(name, StringComparer.Ordinal)))
        {
            throw new MlopsException(ErrorCodes.ReservedColumnName, new SourceLocation(firstFile, 1, 1), $"feature column '{name}' has a name ML.NET reserves", $"Rename the column, or exclude it with <{SettingNames.ColumnItem} Include=\"{name}\" Ignore=\"true\" />");
        }

        var missingTokens = spec.MissingValues.ToHashSet(StringComparer.Ordinal);
        bool IsMissing(string cell) => cell.Length == 0 || string.IsNullOrWhiteSpace(cell) || missingTokens.Contains(cell.Trim());

        // Rows without a label cannot be learned from or scored: drop them, and say so.
        var labelled = records.Where(record => !IsMissing(record.Fields[labelIndex])).ToList();
        var droppedForLabel = records.Count - labelled.Count;
        if (droppedForLabel > 0)
        {
            log.Warning(ErrorCodes.RowsWithoutLabel, new SourceLocation(firstFile), $"{droppedForLabel} rows have no value in label column '{spec.Label}' and are left out");
        }

        var declared = spec.Columns.Where(column => column.Type is not null).ToDictionary(column => column.Name, column => column.Type!.Value, StringComparer.Ordinal);
        var types = featureNames.ToDictionary(
            name => name,
            name => InferType(name, columnIndex[name], labelled, IsMissing, declared.TryGetValue(name, out var type) ? type : null, paths),
            StringComparer.Ordinal);

        var rows = ApplyMissingPolicy(spec, labelled, featureNames, columnIndex, IsMissing, paths, log, out var droppedForFeatures);
        if (rows.Count < MinimumRows)
        {
            throw new MlopsException(ErrorCodes.TooFewRows, new SourceLocation(firstFile), $"only {rows.Count} usable rows remain (at least {MinimumRows} are needed to train and test)", "Add data, or relax MlopsMissingPolicy");
        }

        var testRows = DataSplit.TestCount(rows.Count, spec.TestFraction);
        if (testRows == 0 || testRows == rows.Count)
        {
            throw new MlopsException(
                ErrorCodes.TooFewRows,
                ProjectFileLocator.Property(spec.ProjectFile, SettingNames.TestFraction),
                $"a test fraction of {spec.TestFraction.ToString(CultureInfo.InvariantCulture)} of {rows.Count} rows leaves {(testRows == 0 ? "the test" : "the training")} split empty",
                "Add rows, or change MlopsTestFraction");
        }

        var features = featureNames.Select(name => BuildColumn(name, types[name], columnIndex[name], rows, IsMissing)).ToList();
        var labelCells = rows.Select(record => record.Fields[labelIndex].Trim()).ToArray();
        var labelCounts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in labelCells)
        {
            labelCounts[value] = labelCounts.GetValueOrDefault(value) + 1;
        }

        var sources = rows.Select(record => record.Source).ToArray();
        var lines = rows.Select(record => record.Line).ToArray();
        PreparedData data;
        string? positiveClass = null;
        switch (spec.Task)
        {
            case TaskKind.Binary:
                (positiveClass, var negativeClass) = ResolveBinaryClasses(spec, labelCounts, firstFile);
                data = new PreparedData
                {
                    Task = spec.Task, Features = features, Sources = sources, Lines = lines,
                    BinaryLabels = [.. labelCells.Select(value => value == positiveClass)],
                    PositiveClass = positiveClass, NegativeClass = negativeClass,
                };
                break;
            case TaskKind.Regression:
                var numbers = new float[labelCells.Length];
                for (var i = 0; i < labelCells.Length; i++)
                {
                    if (!TryParseNumber(labelCells[i], out numbers[i]))
                    {
                        throw new MlopsException(ErrorCodes.TextInNumericColumn, new SourceLocation(paths[rows[i].Source], rows[i].Line, 1), $"label column '{spec.Label}' of a regression model has the text '{labelCells[i]}' (line {rows[i].Line}, column {labelIndex + 1})", "A regression label must be a number: fix the cell, or list the value in MlopsMissingValues to leave the row out");
                    }
                }

                data = new PreparedData { Task = spec.Task, Features = features, Sources = sources, Lines = lines, NumericLabels = numbers };
                labelCounts.Clear();
                break;
            default:
                if (labelCounts.Count < 2)
                {
                    throw new MlopsException(ErrorCodes.LabelNotBinary, new SourceLocation(firstFile), $"label column '{spec.Label}' has only one class", "A classifier needs at least two classes in the data");
                }

                data = new PreparedData { Task = spec.Task, Features = features, Sources = sources, Lines = lines, ClassLabels = labelCells };
                break;
        }

        var profile = new DataProfile
        {
            Rows = rows.Count,
            DroppedRows = droppedForLabel + droppedForFeatures,
            Task = spec.Task.ToString().ToLowerInvariant(),
            Label = spec.Label,
            PositiveClass = positiveClass,
            LabelCounts = labelCounts,
            Columns = header.Select(name => Stats(name, name == spec.Label ? "label" : featureNames.Contains(name) ? "feature" : "ignored", features.FirstOrDefault(column => column.Name == name), columnIndex[name], rows, IsMissing)).ToList(),
        };
        return (data, profile);
    }

    /// <summary>A tracked directory stands for every file in it, in ordinal order of their paths.</summary>
    private static IEnumerable<DataFile> Expand(DataFile file) =>
        Directory.Exists(file.FullPath)
            ? Directory.EnumerateFiles(file.FullPath, "*", SearchOption.AllDirectories)
                .Where(path => !path.EndsWith(Pointers.PointerFile.Extension, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(path => new DataFile(path, file.Name + "/" + Path.GetRelativePath(file.FullPath, path).Replace('\\', '/')))
            : [file];

    internal static bool TryParseNumber(string cell, out float value)
    {
        if (double.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            value = (float)number;
            return true;
        }

        value = float.NaN;
        return false;
    }

    private static ColumnType InferType(string name, int index, List<RawRecord> records, Func<string, bool> isMissing, ColumnType? declared, Dictionary<string, string> paths)
    {
        if (declared == ColumnType.Text)
        {
            return ColumnType.Text;
        }

        var present = 0;
        var numeric = 0;
        RawRecord? firstText = null;
        foreach (var record in records)
        {
            var cell = record.Fields[index];
            if (isMissing(cell))
            {
                continue;
            }

            present++;
            if (TryParseNumber(cell, out _))
            {
                numeric++;
            }
            else
            {
                firstText ??= record;
            }
        }

        if (firstText is null)
        {
            return present == 0 && declared is null ? ColumnType.Text : ColumnType.Numeric;
        }

        if (declared == ColumnType.Numeric || numeric >= NumericColumnThreshold * present)
        {
            var why = declared == ColumnType.Numeric
                ? "it is declared Numeric"
                : $"{numeric} of its {present} values are numbers";
            throw new MlopsException(
                ErrorCodes.TextInNumericColumn,
                new SourceLocation(paths[firstText.Source], firstText.Line, 1),
                $"column '{name}' is numeric ({why}) but line {firstText.Line}, column {index + 1} has the text '{firstText.Fields[index]}'",
                $"Fix the cell; if the value means 'missing', add it to MlopsMissingValues; if the column is categorical, declare <{SettingNames.ColumnItem} Include=\"{name}\" Type=\"Text\" />");
        }

        return ColumnType.Text;
    }

    private static List<RawRecord> ApplyMissingPolicy(ModelSpec spec, List<RawRecord> records, List<string> featureNames, Dictionary<string, int> columnIndex, Func<string, bool> isMissing, Dictionary<string, string> paths, IMlopsLog log, out int dropped)
    {
        dropped = 0;
        if (spec.MissingPolicy is not (MissingPolicy.DropRows or MissingPolicy.Error))
        {
            return records;
        }

        var indices = featureNames.Select(name => columnIndex[name]).ToArray();
        var complete = records.Where(record => indices.All(index => !isMissing(record.Fields[index]))).ToList();
        dropped = records.Count - complete.Count;
        if (dropped == 0)
        {
            return records;
        }

        if (spec.MissingPolicy == MissingPolicy.Error)
        {
            var first = records.First(record => indices.Any(index => isMissing(record.Fields[index])));
            var counts = featureNames
                .Select(name => (name, count: records.Count(record => isMissing(record.Fields[columnIndex[name]]))))
                .Where(pair => pair.count > 0)
                .Select(pair => $"{pair.name} ({pair.count})");
            throw new MlopsException(
                ErrorCodes.MissingValuesRejected,
                new SourceLocation(paths[first.Source], first.Line, 1),
                $"{dropped} rows have missing feature values: {string.Join(", ", counts)}",
                "Fill them in, or set MlopsMissingPolicy to Mean, Minimum, Maximum, Zero or DropRows");
        }

        log.Message($"dropped {dropped} rows with missing feature values (MlopsMissingPolicy=DropRows)");
        return complete;
    }

    private static FeatureColumn BuildColumn(string name, ColumnType type, int index, List<RawRecord> rows, Func<string, bool> isMissing)
    {
        if (type == ColumnType.Text)
        {
            return new FeatureColumn(name, type) { Texts = [.. rows.Select(row => isMissing(row.Fields[index]) ? "" : row.Fields[index].Trim())] };
        }

        return new FeatureColumn(name, type)
        {
            Numbers = [.. rows.Select(row => isMissing(row.Fields[index]) ? float.NaN : TryParseNumber(row.Fields[index], out var value) ? value : float.NaN)],
        };
    }

    private static (string Positive, string Negative) ResolveBinaryClasses(ModelSpec spec, SortedDictionary<string, int> counts, string file)
    {
        var values = counts.Keys.ToList();
        if (values.Count != 2)
        {
            var shown = string.Join(", ", values.Take(5).Select(value => $"'{value}'")) + (values.Count > 5 ? ", ..." : "");
            throw new MlopsException(
                ErrorCodes.LabelNotBinary,
                new SourceLocation(file),
                $"label column '{spec.Label}' has {values.Count} distinct values ({shown}); a binary model needs exactly 2",
                values.Count > 2 ? "Set MlopsTask to multiclass, or pick another label" : "Check the label column: a classifier needs both classes in the data");
        }

        var location = ProjectFileLocator.Property(spec.ProjectFile, SettingNames.PositiveClass);
        if (spec.PositiveClass is { } declared)
        {
            return values.Contains(declared)
                ? (declared, values.Single(value => value != declared))
                : throw new MlopsException(ErrorCodes.LabelNotBinary, location, $"MlopsPositiveClass '{declared}' is not a value of label column '{spec.Label}' (values: '{values[0]}', '{values[1]}')", "Set MlopsPositiveClass to one of the two values");
        }

        var recognised = values.Where(value => PositiveWords.Contains(value, StringComparer.OrdinalIgnoreCase)).ToList();
        return recognised.Count == 1
            ? (recognised[0], values.Single(value => value != recognised[0]))
            : throw new MlopsException(ErrorCodes.LabelNotBinary, new SourceLocation(spec.ProjectFile), $"cannot tell which value of label column '{spec.Label}' is the positive class ('{values[0]}' or '{values[1]}')", "Set <MlopsPositiveClass> in the project to the value the model should detect");
    }

    private static ColumnStats Stats(string name, string role, FeatureColumn? column, int index, List<RawRecord> rows, Func<string, bool> isMissing)
    {
        var missing = rows.Count(row => isMissing(row.Fields[index]));
        if (column is { Type: ColumnType.Numeric })
        {
            var present = column.Numbers.Where(value => !float.IsNaN(value)).Select(value => (double)value).ToList();
            return new ColumnStats(name, "numeric", role, missing)
            {
                Min = present.Count > 0 ? present.Min() : null,
                Max = present.Count > 0 ? present.Max() : null,
                Mean = present.Count > 0 ? Math.Round(present.Average(), 6) : null,
            };
        }

        var type = role == "label" ? "label" : column is null ? "unused" : "text";
        return new ColumnStats(name, type, role, missing)
        {
            Categories = column is null ? null : column.Texts.Where(text => text.Length > 0).Distinct(StringComparer.Ordinal).Count(),
        };
    }
}
