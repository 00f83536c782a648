using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using BuildMlops.Testing;

namespace BuildMlops.Images.Tests;

/// <summary>
/// The inputs of a model image written into a folder: a publish output of the serving host (small
/// stand-in files: the image's bytes are the point here, not running it), a model directory, and a
/// base image as an OCI layout with one layer and a config like the .NET runtime images'.
/// </summary>
internal sealed class ImageInputs
{
    public static readonly DateTimeOffset CommitTime = new(2024, 5, 17, 9, 30, 12, TimeSpan.FromHours(2));

    /// <summary>A name long enough to need ustar's prefix field.</summary>
    public const string LongRelativePath = "runtimes/linux-musl-x64/native/a-rather-long-directory-name-for-native-assets/and-another-nested-one/libSystem.Native.so";

    private ImageInputs(string root)
    {
        Root = root;
        App = Path.Combine(root, "publish");
        Model = Path.Combine(root, "model");
        BaseLayout = Path.Combine(root, "base");
    }

    public string Root { get; }

    public string App { get; }

    public string Model { get; }

    public string BaseLayout { get; }

    public static IReadOnlyDictionary<string, byte[]> AppFiles { get; } = new Dictionary<string, byte[]>
    {
        ["mlops-serve.dll"] = Bytes(4000, seed: 1),
        ["mlops-serve"] = Bytes(3000, seed: 2),
        ["mlops-serve.runtimeconfig.json"] = Encoding.UTF8.GetBytes("{\"runtimeOptions\":{\"tfm\":\"net10.0\"}}\n"),
        ["BuildMlops.Serving.dll"] = Bytes(5000, seed: 3),
        [LongRelativePath] = Bytes(100, seed: 4),
    };

    public static IReadOnlyDictionary<string, byte[]> ModelFiles { get; } = new Dictionary<string, byte[]>
    {
        ["model.zip"] = Bytes(20000, seed: 5),
        ["schema.json"] = Encoding.UTF8.GetBytes("{\"label\":\"churn\"}\n"),
        ["metrics.json"] = Encoding.UTF8.GetBytes("{\"auc\":0.84}\n"),
        ["mlops.lock.json"] = Encoding.UTF8.GetBytes("{\"version\":1}\n"),
    };

    /// <summary>Writes the inputs under <paramref name="root"/>; <paramref name="variant"/> gives the files other
    /// mtimes, permissions and (as root) owners, none of which may reach the image.</summary>
    public static ImageInputs Create(string root, int variant = 0)
    {
        var inputs = new ImageInputs(root);
        var files = AppFiles.Select(pair => (Path.Combine(inputs.App, pair.Key), pair.Value))
            .Concat(ModelFiles.Select(pair => (Path.Combine(inputs.Model, pair.Key), pair.Value)));
        foreach (var (path, content) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
            if (variant != 0 && !OperatingSystem.IsWindows())
            {
                File.SetLastWriteTimeUtc(path, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc).AddDays(variant * 100));
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupWrite | UnixFileMode.GroupRead);
                if (Environment.UserName == "root")
                {
                    ProcessRunner.Run("chown", ["4321:4321", path], root).ThrowIfFailed();
                }
            }
        }

        CreateBase(inputs.BaseLayout);
        return inputs;
    }

    public ImageSpec Spec(string tag = "churn:1.0.0") => new()
    {
        Tag = tag,
        AppFiles = LayerEntry.FromDirectory(App, "/app", relative => relative == "mlops-serve"),
        ModelFiles = LayerEntry.FromDirectory(Model, "/app/model"),
        Base = new BaseImage(BaseLayout, "10.0", "mcr.microsoft.com/dotnet/aspnet:10.0"),
        Timestamp = CommitTime,
        Source = "https://example.org/churn.git",
        Revision = "0123456789abcdef0123456789abcdef01234567",
        Version = "1.0.0",
        Metrics = new Dictionary<string, double> { ["auc"] = 0.8412, ["accuracy"] = 0.79 },
    };

    public static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A one-layer base image, written once with fixed bytes (its own determinism is not under test).</summary>
    private static void CreateBase(string layout)
    {
        var blobs = Path.Combine(layout, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, type, content) in new[]
            {
                ("etc/", TarEntryType.Directory, ""),
                ("etc/os-release", TarEntryType.RegularFile, "PRETTY_NAME=\"Test base\"\n"),
            })
            {
                var entry = new UstarTarEntry(type, name)
                {
                    ModificationTime = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000),
                    Mode = type == TarEntryType.Directory ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100,
                };
                if (type == TarEntryType.RegularFile)
                {
                    entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
                }

                writer.WriteEntry(entry);
            }
        }

        var diffId = Digest(tar.ToArray());
        using var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(tar.ToArray());
        }

        var layer = gz.ToArray();
        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["created"] = "2020-09-13T12:26:40Z",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_UID=1654", "ASPNETCORE_HTTP_PORTS=8080", "DOTNET_VERSION=10.0.0"),
                ["Cmd"] = new JsonArray("bash"),
                ["Labels"] = new JsonObject { ["base.label"] = "kept" },
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
            ["history"] = new JsonArray(new JsonObject { ["created"] = "2020-09-13T12:26:40Z", ["created_by"] = "test base" }),
        }.ToJsonString());
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.ImageManifest,
            ["config"] = new JsonObject { ["mediaType"] = MediaTypes.ImageConfig, ["digest"] = Digest(config), ["size"] = config.Length },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = MediaTypes.LayerGzip, ["digest"] = Digest(layer), ["size"] = layer.Length }),
        }.ToJsonString());
        foreach (var blob in new[] { layer, config, manifest })
        {
            File.WriteAllBytes(Path.Combine(blobs, Digest(blob)[7..]), blob);
        }

        File.WriteAllText(Path.Combine(layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        File.WriteAllText(Path.Combine(layout, "index.json"), new JsonObject
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = MediaTypes.ImageManifest,
                ["digest"] = Digest(manifest),
                ["size"] = manifest.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = "10.0" },
            }),
        }.ToJsonString());
    }

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}

internal static class ProcessResultExtensions
{
    public static ProcessResult ThrowIfFailed(this ProcessResult result) =>
        result.ExitCode == 0 ? result : throw new InvalidOperationException(result.ToString());
}
