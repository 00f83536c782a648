using System.Globalization;
using System.Text;

namespace BuildMlops.Evaluate;

/// <summary>
/// predictions.csv: one row per test-split row with its source file and line, the true label and the
/// model's output. Probabilities are written as the exact decimal of the double, so anyone recomputing
/// the metrics from this file gets the same numbers.
/// </summary>
internal sealed class PredictionsWriter
{
    private readonly StringBuilder _text = new();

    public PredictionsWriter(IEnumerable<string> header) => Row(header);

    public void Row(IEnumerable<string> fields)
    {
        _text.AppendJoin(',', fields.Select(Escape));
        _text.Append('\n');
    }

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    public void Save(string path) => File.WriteAllText(path, _text.ToString(), new UTF8Encoding(false));

    private static string Escape(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
