using System.Text;
using BuildMlops.Diagnostics;

namespace BuildMlops.Data;

/// <summary>
/// An RFC 4180 reader: quoted fields with doubled quotes, separators and line breaks inside quotes,
/// CRLF or LF, an optional UTF-8 byte order mark. Every malformed record is a BM1005 error with its
/// line, never a silently shifted column.
/// </summary>
public static class CsvReader
{
    public static RawTable Read(string path, string name, char separator)
    {
        var text = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false));
        return Parse(text, path, name, separator);
    }

    public static RawTable Parse(string text, string path, string name, char separator)
    {
        var records = new List<RawRecord>();
        string[]? header = null;
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var position = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var inQuotes = false;
        var quoteLine = 0;
        var fieldStartedQuoted = false;

        void EndField()
        {
            fields.Add(field.ToString());
            field.Clear();
            fieldStartedQuoted = false;
        }

        void EndRecord()
        {
            EndField();
            var isBlank = fields.Count == 1 && fields[0].Length == 0;
            if (!isBlank)
            {
                if (header is null)
                {
                    header = [.. fields.Select(value => value.Trim())];
                }
                else if (fields.Count != header.Length)
                {
                    throw new MlopsException(
                        ErrorCodes.MalformedCsv,
                        new SourceLocation(path, recordLine, 1),
                        $"record has {fields.Count} fields but the header has {header.Length}",
                        "Quote fields that contain the separator, and give every row the header's number of fields");
                }
                else
                {
                    records.Add(new RawRecord(name, recordLine, [.. fields]));
                }
            }

            fields.Clear();
            recordLine = line;
        }

        while (position < text.Length)
        {
            var c = text[position++];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (position < text.Length && text[position] == '"')
                    {
                        field.Append('"');
                        position++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }

                continue;
            }

            if (c == '"' && field.Length == 0 && !fieldStartedQuoted)
            {
                inQuotes = true;
                fieldStartedQuoted = true;
                quoteLine = line;
            }
            else if (c == separator)
            {
                EndField();
            }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && position < text.Length && text[position] == '\n')
                {
                    position++;
                }

                line++;
                EndRecord();
            }
            else
            {
                field.Append(c);
            }
        }

        if (inQuotes)
        {
            throw new MlopsException(
                ErrorCodes.MalformedCsv,
                new SourceLocation(path, quoteLine, 1),
                "a quoted field is never closed",
                "Close the quote, or double any quote character inside a quoted field (\"\")");
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            EndRecord();
        }

        if (header is null || header.All(column => column.Length == 0))
        {
            throw new MlopsException(
                ErrorCodes.DataFileEmpty,
                new SourceLocation(path),
                $"data file '{name}' is empty",
                "Export the data with a header row and at least one record");
        }

        return new RawTable { FileName = name, Header = header, Records = records };
    }
}
