using BuildMlops.Pipeline;
using BuildMlops.Repository;
using BuildMlops.RunCache;
using BuildMlops.Spec;

namespace BuildMlops.Cli.Commands;

/// <summary>The run cache of the repository a model project lives in, unless the project turned it off.</summary>
internal static class RunCacheFactory
{
    public static StepRunCache? For(ModelSpec spec, IMlopsLog log) =>
        spec.RunCache ? new StepRunCache(MlopsRepository.Discover(spec.ProjectDirectory), log) : null;
}
