using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BuildMlops.IO;

/// <summary>
/// The one way BuildMlops writes JSON that lands in an output: two-space indents, '\n' line ends, a
/// final newline, plain UTF-8 and shortest round-trip numbers, so equal content is equal bytes on
/// every machine and culture.
/// </summary>
public static class DeterministicJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
