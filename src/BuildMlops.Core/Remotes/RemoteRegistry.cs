using BuildMlops.Diagnostics;
using BuildMlops.Repository;

namespace BuildMlops.Remotes;

/// <summary>
/// Opens a configured remote by its url's scheme. Folders are built in; other schemes are registered
/// by the process that can serve them (the mlops CLI registers s3), so the MSBuild node never loads
/// a cloud SDK.
/// </summary>
public static class RemoteRegistry
{
    private static readonly Dictionary<string, Func<string, RemoteSettings, string, IRemoteStorage>> Factories = new(StringComparer.Ordinal)
    {
        [""] = (name, settings, root) => new FolderRemote(name, Path.GetFullPath(Path.Combine(root, settings.Url))),
    };

    /// <summary>Registers a scheme, e.g. <c>s3</c>. The factory gets the remote's name, settings and the repository root.</summary>
    public static void Register(string scheme, Func<string, RemoteSettings, string, IRemoteStorage> factory)
    {
        lock (Factories)
        {
            Factories[scheme] = factory;
        }
    }

    public static bool CanOpen(RemoteSettings settings)
    {
        lock (Factories)
        {
            return Factories.ContainsKey(settings.Scheme);
        }
    }

    /// <summary>The named remote, or the default one when <paramref name="name"/> is null.</summary>
    public static IRemoteStorage Open(MlopsRepository repository, string? name)
    {
        name ??= repository.Config.DefaultRemote
            ?? throw new MlopsException(ErrorCodes.BadRemote, new SourceLocation(repository.ConfigPath), "no default remote is configured", "Add one with 'mlops remote add --default <name> <url>', or name one with --remote");
        if (!repository.Config.Remotes.TryGetValue(name, out var settings))
        {
            throw new MlopsException(ErrorCodes.BadRemote, new SourceLocation(repository.ConfigPath), $"there is no remote named '{name}' (remotes: {string.Join(", ", repository.Config.Remotes.Keys)})", "Add it with 'mlops remote add <name> <url>'");
        }

        Func<string, RemoteSettings, string, IRemoteStorage>? factory;
        lock (Factories)
        {
            Factories.TryGetValue(settings.Scheme, out factory);
        }

        return factory is null
            ? throw new MlopsException(ErrorCodes.BadRemote, new SourceLocation(repository.ConfigPath), $"remote '{name}' has the url '{settings.Url}', whose scheme '{settings.Scheme}' is not supported here", "Use a folder path or s3://bucket/prefix")
            : factory(name, settings, repository.Root);
    }
}
