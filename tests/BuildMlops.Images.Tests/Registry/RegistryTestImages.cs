using BuildMlops.Testing;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>Small model images for the registry tests, built with <see cref="ImageBuilder"/> from <see cref="ImageInputs"/>.</summary>
internal static class RegistryTestImages
{
    /// <summary>The usual image: base layer, app layer, model layer and config: four blobs.</summary>
    public static ImageResult Build(TemporaryDirectory temporary, string name, string tag = "churn:1.0.0", byte[]? model = null, string architecture = "amd64")
    {
        var inputs = ImageInputs.Create(temporary.Combine(name, "inputs"));
        if (model is not null)
        {
            File.WriteAllBytes(Path.Combine(inputs.Model, "model.zip"), model);
        }

        // The base image is amd64; another platform is built without it.
        var spec = architecture == "amd64" ? inputs.Spec(tag) : inputs.Spec(tag) with { Base = null, Architecture = architecture };
        return ImageBuilder.Build(spec, temporary.Combine(name, "layout"), null, _ => null);
    }

    public static string BlobPath(string layout, string digest) => Layout.BlobPath(layout, digest);

    /// <summary>The digests of every blob of an image: layers, config and manifest.</summary>
    public static IEnumerable<string> Blobs(ImageResult image) =>
        image.Layers.Select(layer => layer.Digest).Append(image.ConfigDigest).Append(image.ManifestDigest);
}
