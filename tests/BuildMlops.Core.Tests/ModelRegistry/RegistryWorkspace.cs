using System.Collections.Concurrent;
using BuildMlops.Diagnostics;
using BuildMlops.HashData;
using BuildMlops.ModelRegistry;
using BuildMlops.Pipeline;
using BuildMlops.Repository;
using BuildMlops.Testing;

namespace BuildMlops.Core.Tests.ModelRegistry;

/// <summary>
/// A repository root (with <c>.mlops/</c>) in a temporary folder, holding built projects, and the model
/// registry over it: its local folder, or a folder remote as the default remote.
/// </summary>
internal sealed class RegistryWorkspace : IDisposable
{
    private readonly TemporaryDirectory _directory;

    public RegistryWorkspace(bool folderRemote = false)
    {
        _directory = new TemporaryDirectory("registry");
        Root = _directory.Combine("repo");
        Directory.CreateDirectory(Path.Combine(Root, ".mlops"));
        if (folderRemote)
        {
            var repository = MlopsRepository.Open(Root);
            repository.Config.Remotes["storage"] = new RemoteSettings { Url = _directory.Combine("remote") };
            repository.Config.DefaultRemote = "storage";
            repository.SaveConfig();
        }
    }

    public string Root { get; }

    public ThreadSafeLog Log { get; } = new();

    /// <summary>Where the registry's files are: <c>.mlops/registry</c>, or <c>registry/</c> on the folder remote.</summary>
    public string RegistryFolder =>
        MlopsRepository.Open(Root).Config.DefaultRemote is null ? Path.Combine(Root, ".mlops", "registry") : _directory.Combine("remote", "registry");

    /// <summary>A store as a separate process would have it: its own instance over the same folder.</summary>
    public ModelRegistryStore Open() => ModelRegistryStore.Open(MlopsRepository.Open(Root), Log);

    public string Scratch(string name) => _directory.Combine(name);

    public string PathOf(string model, int version, string file) => Path.Combine(RegistryFolder, model, "versions", RegistryNames.VersionFolder(version), file);

    /// <summary>Every file of the registry with its hash: equal snapshots mean nothing changed.</summary>
    public SortedDictionary<string, string> Snapshot() =>
        Directory.Exists(RegistryFolder)
            ? new(Directory.GetFiles(RegistryFolder, "*", SearchOption.AllDirectories).ToDictionary(file => Path.GetRelativePath(RegistryFolder, file), file => ContentHash.OfFile(file)), StringComparer.Ordinal)
            : new(StringComparer.Ordinal);

    public void Dispose() => _directory.Dispose();

    /// <summary>Records what the registry logs, from any number of threads at once.</summary>
    internal sealed class ThreadSafeLog : IMlopsLog
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public void Message(string text) => _lines.Enqueue(text);

        public void Important(string text) => _lines.Enqueue(text);

        public void Warning(string code, SourceLocation location, string message) => _lines.Enqueue($"warning {code}: {message}");

        public void Error(MlopsException error) => _lines.Enqueue(error.ToCanonicalString());
    }
}
