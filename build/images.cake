// Model images: MlopsPackage builds each pipeline's OCI image (bin/mlops/image/), MlopsPush pushes it.
// Package, Push and Register pass the same image properties, so the image Push and Register see is the
// one Package built (its fingerprint is unchanged, and MSBuild skips packaging it again).

// Set by Package: Register then packages too (up to date, so nothing is rebuilt) and the image's
// digest goes into the registered version's lineage.
var imagesPackaged = false;

// The image properties of this run: the release's version as tag and version, or --image-tag; and
// [BuildMlops] InsecureRegistries.
Dictionary<string, string> ImageProperties()
{
    var properties = new Dictionary<string, string>();
    if (release is not null)
    {
        // v1.2.3 -> image 1.2.3; MlopsImageTagCommit (on by default) adds the commit as a second tag.
        properties["MlopsImageTag"] = release.Version;
        properties["MlopsImageVersion"] = release.Version;
    }
    else if (!string.IsNullOrWhiteSpace(imageTagArgument))
    {
        properties["MlopsImageTag"] = imageTagArgument.Trim();
    }
    var insecure = InsecureRegistries();
    if (insecure.Count > 0)
    {
        properties["MlopsInsecureRegistries"] = string.Join(";", insecure);
    }
    return properties;
}

// dotnet build <pipeline> -t:MlopsPackage for each selected pipeline (only a model whose gates pass is packaged).
void PackagePipelines()
{
    BuildPipelinesOrFail("Package", SelectedPipelines(), "MlopsPackage", ImageProperties());
    imagesPackaged = true;
}

// dotnet build <pipeline> -t:MlopsPush -p:MlopsImageRegistry=<registry> for each selected pipeline.
// Credentials: MLOPS_REGISTRY_USERNAME and MLOPS_REGISTRY_PASSWORD, or the Docker config (docs/registry.md).
void PushPipelines()
{
    var registry = ImageRegistry()
        ?? throw new Exception("No registry to push to: pass --registry=<host>[/<namespace>] (e.g. ghcr.io/acme), set MLOPS_REGISTRY, or set Registry in cake.config's [BuildMlops] section.");
    Information("Pushing to {0}", registry);
    var properties = ImageProperties();
    properties["MlopsImageRegistry"] = registry;
    BuildPipelinesOrFail("Push", SelectedPipelines(), "MlopsPush", properties);
}
