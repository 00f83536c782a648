namespace BuildMlops.IO;

/// <summary>
/// Writes files so that a reader, a crash or a kill never sees half of one: the bytes go to a
/// temporary file in the same directory, which is then renamed over the target in one step.
/// </summary>
public static class AtomicFile
{
    /// <summary>A unique temporary path beside <paramref name="path"/>, on the same file system.</summary>
    public static string TemporaryPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// Whether <paramref name="path"/> is named as <see cref="TemporaryPathFor"/> names them: a file a killed process
    /// left before its rename, never anyone's data.
    /// </summary>
    public static bool IsTemporary(string path)
    {
        var name = Path.GetFileName(path.AsSpan());
        const int Suffix = 1 + 32 + 4; // ".<32 hex digits>.tmp"
        if (name.Length <= 1 + Suffix || name[0] != '.' || !name.EndsWith(".tmp", StringComparison.Ordinal) || name[^Suffix] != '.')
        {
            return false;
        }

        foreach (var character in name[^(Suffix - 1)..^4])
        {
            if (!char.IsAsciiHexDigitLower(character))
            {
                return false;
            }
        }

        return true;
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = TemporaryPathFor(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Writes only when the content differs, so an unchanged file keeps its timestamp.</summary>
    public static bool WriteAllTextIfChanged(string path, string text)
    {
        if (File.Exists(path) && File.ReadAllText(path) == text)
        {
            return false;
        }

        WriteAllText(path, text);
        return true;
    }

    /// <summary>Moves a finished temporary file into place, replacing what was there.</summary>
    public static void Commit(string temporaryPath, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.Move(temporaryPath, path, overwrite: true);
    }
}
