using System.Globalization;
using System.Text.RegularExpressions;
using BuildMlops.Diagnostics;

namespace BuildMlops.ModelRegistry;

/// <summary>
/// What model names, aliases and version numbers may look like. Names become key and folder names on
/// every store (S3 keys, Windows and macOS folders), so they are lower case and plain: letters, digits,
/// '.', '_' and '-', starting with a letter or digit. An alias must start with a letter, so that
/// "3" always means version 3, and may not be <c>latest</c>, which always means the newest version.
/// </summary>
public static partial class RegistryNames
{
    /// <summary>The pseudo-alias that resolves to the highest complete version.</summary>
    public const string Latest = "latest";

    /// <summary>How many digits a version folder has at least (<c>000003</c>), so folders list in order.</summary>
    private const int VersionDigits = 6;

    public static bool IsValidModel(string name) => ModelPattern().IsMatch(name);

    public static bool IsValidAlias(string alias) => AliasPattern().IsMatch(alias) && alias != Latest;

    /// <summary>The version number <paramref name="text"/> names (<c>3</c>, <c>v3</c>, <c>000003</c>), or null if it names none.</summary>
    public static int? ParseVersion(string text)
    {
        var digits = text.StartsWith('v') ? text[1..] : text;
        return digits.Length > 0 && digits.All(char.IsAsciiDigit) && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : null;
    }

    /// <summary>The folder name of a version: at least six digits, <c>000003</c>.</summary>
    public static string VersionFolder(int version) => version.ToString("D" + VersionDigits, CultureInfo.InvariantCulture);

    /// <summary><paramref name="name"/> if it is a valid model name, else BM8009.</summary>
    public static string RequireModel(string name, SourceLocation where) =>
        IsValidModel(name)
            ? name
            : throw new MlopsException(ErrorCodes.BadRegistryName, where, $"'{name}' is not a valid model name", "Use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit (at most 100 characters); set MlopsModelName in the project, or --name");

    /// <summary><paramref name="alias"/> if it is a name an alias may have, else BM8009.</summary>
    public static string RequireAlias(string alias, SourceLocation where) =>
        IsValidAlias(alias)
            ? alias
            : throw new MlopsException(ErrorCodes.BadRegistryName, where, alias == Latest ? "'latest' always means the newest version and cannot be moved" : $"'{alias}' is not a valid alias", "Name aliases with lower-case letters, digits, '.', '_' and '-', starting with a letter, e.g. production or staging");

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex ModelPattern();

    [GeneratedRegex("^[a-z][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();
}
