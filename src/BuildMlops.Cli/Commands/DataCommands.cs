using System.CommandLine;
using BuildMlops.Cache;
using BuildMlops.DataVersioning;
using BuildMlops.HashData;
using BuildMlops.IO;
using BuildMlops.Pointers;
using BuildMlops.Remotes;
using BuildMlops.Repository;
using BuildMlops.RunCache;

namespace BuildMlops.Cli.Commands;

/// <summary><c>mlops data add|status|checkout|push|pull|gc|fsck</c>: data versioning, like DVC's.</summary>
internal static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Track large data outside git: pointer files, a content-addressed cache and remotes");
        data.Subcommands.Add(Add());
        data.Subcommands.Add(Status());
        data.Subcommands.Add(Checkout());
        data.Subcommands.Add(Push("push", "Upload the cache objects that pointer files need to a remote (only what it lacks)"));
        data.Subcommands.Add(Pull("pull", "Download what pointer files need from a remote, verify it, and check it out"));
        data.Subcommands.Add(Gc());
        data.Subcommands.Add(Fsck());
        return data;
    }

    public static Command Push(string name, string description)
    {
        var paths = Paths();
        var remote = RemoteOption();
        var jobs = Jobs();
        var runCache = new Option<bool>("--run-cache") { Description = "Also push the run cache: every recorded step run and its outputs" };
        var json = CommonOptions.Json();
        var command = new Command(name, description) { paths, remote, jobs, runCache, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            var workspace = Workspace(log);
            var objects = workspace.FindPointers(parse.GetValue(paths)).SelectMany(pointer => workspace.LoadPointer(pointer).Objects()).ToList();
            using var storage = RemoteRegistry.Open(workspace.Repository, parse.GetValue(remote));
            using var cacheLock = DirectoryLock.Shared(workspace.Cache.Root);
            var transfer = new DataTransfer(workspace.Cache, storage, log, parse.GetValue(jobs));
            var runs = 0;
            if (parse.GetValue(runCache))
            {
                using var cache = new StepRunCache(workspace.Repository, log);
                var records = cache.LocalRuns().ToList();
                objects.AddRange(records.SelectMany(run => run.Record.Outs.Values.Select(output => (ContentId.Sha256(output.Sha256), output.Size))));
                var summary = Wait(transfer.PushAsync(objects, CancellationToken.None));
                foreach (var (key, path, _) in records)
                {
                    // Records go last: a record on the remote promises that its objects are there too.
                    if (!Wait(transfer.ExistsAsync(key, CancellationToken.None)))
                    {
                        Wait(transfer.UploadFileAsync(key, path, CancellationToken.None));
                        runs++;
                    }
                }

                log.Important($"pushed {runs} run record{(runs == 1 ? "" : "s")}");
                return new { summary.Transferred, summary.Bytes, summary.Skipped, Runs = runs };
            }

            var result = Wait(transfer.PushAsync(objects, CancellationToken.None));
            return new { result.Transferred, result.Bytes, result.Skipped, Runs = runs };
        }));
        return command;
    }

    public static Command Pull(string name, string description)
    {
        var paths = Paths();
        var remote = RemoteOption();
        var jobs = Jobs();
        var json = CommonOptions.Json();
        var command = new Command(name, description) { paths, remote, jobs, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            var workspace = Workspace(log);
            var pointers = workspace.FindPointers(parse.GetValue(paths));
            var objects = pointers.SelectMany(pointer => workspace.LoadPointer(pointer).Objects()).ToList();
            using var storage = RemoteRegistry.Open(workspace.Repository, parse.GetValue(remote));
            TransferSummary summary;
            using (DirectoryLock.Shared(workspace.Cache.Root))
            {
                summary = Wait(new DataTransfer(workspace.Cache, storage, log, parse.GetValue(jobs)).PullAsync(objects, CancellationToken.None));
            }

            var checkedOut = pointers.Count(pointer => workspace.Checkout(pointer, force: false));
            log.Important($"checked out {checkedOut} of {pointers.Count} tracked path{(pointers.Count == 1 ? "" : "s")}");
            return new { summary.Transferred, summary.Bytes, summary.Skipped, CheckedOut = checkedOut };
        }));
        return command;
    }

    private static Command Add()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files or directories to track", Arity = ArgumentArity.OneOrMore };
        var hash = new Option<string?>("--hash")
        {
            Description = $"The hash to name the data with (default: the pointer's, if the data is tracked already, else the configuration's \"hash\", else {ContentHashAlgorithms.DataDefault.Name()})",
        };
        hash.AcceptOnlyFromAmong([.. ContentHashAlgorithms.All.Select(algorithm => algorithm.Name())]);
        var json = CommonOptions.Json();
        var command = new Command("add", "Put data in the cache and write <path>.mlops, a small pointer file to commit instead") { paths, hash, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            var workspace = Workspace(log);
            ContentHashAlgorithm? algorithm = ContentHashAlgorithms.TryParse(parse.GetValue(hash), out var named) ? named : null;
            return parse.GetValue(paths)!.Select(path => new { Pointer = workspace.Add(path, algorithm) }).ToList();
        }));
        return command;
    }

    private static Command Status()
    {
        var paths = Paths();
        var json = CommonOptions.Json();
        var command = new Command("status", "Show tracked data that is missing from the workspace or differs from its pointer") { paths, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            var workspace = Workspace(log);
            var statuses = workspace.FindPointers(parse.GetValue(paths)).Select(workspace.Status).ToList();
            foreach (var status in statuses.Where(status => status.State != DataState.UpToDate || !status.InCache))
            {
                var path = workspace.Repository.RelativePath(status.DataPath, new Diagnostics.SourceLocation(status.PointerPath));
                var state = status.State switch { DataState.Missing => "missing", DataState.Modified => "modified", _ => "up to date" };
                log.Important($"{path}: {state}{(status.InCache ? "" : $", {status.MissingObjects} object(s) not in the cache (pull them)")}");
            }

            if (statuses.All(status => status.State == DataState.UpToDate && status.InCache))
            {
                log.Important($"{statuses.Count} tracked path{(statuses.Count == 1 ? "" : "s")}, all up to date");
            }

            return new
            {
                Tracked = statuses.Select(status => new
                {
                    Path = workspace.Repository.RelativePath(status.DataPath, new Diagnostics.SourceLocation(status.PointerPath)),
                    State = status.State.ToString().ToLowerInvariant(),
                    status.InCache,
                    status.MissingObjects,
                }).ToList(),
                FilesHashed = workspace.Hashes.FilesRead,
            };
        }));
        return command;
    }

    private static Command Checkout()
    {
        var paths = Paths();
        var force = new Option<bool>("--force") { Description = "Overwrite workspace data that differs from its pointer" };
        var json = CommonOptions.Json();
        var command = new Command("checkout", "Make the workspace match the pointer files, from the cache") { paths, force, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            var workspace = Workspace(log);
            var pointers = workspace.FindPointers(parse.GetValue(paths));
            var changed = pointers.Count(pointer => workspace.Checkout(pointer, parse.GetValue(force)));
            log.Important($"checked out {changed} of {pointers.Count} tracked path{(pointers.Count == 1 ? "" : "s")}");
            return new { CheckedOut = changed, Tracked = pointers.Count };
        }));
        return command;
    }

    private static Command Gc()
    {
        var allCommits = new Option<bool>("--all-commits") { Description = "Keep what any commit's pointer files reference, not only the workspace's" };
        var json = CommonOptions.Json();
        var command = new Command("gc", "Delete cache objects that nothing references") { allCommits, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            var (removed, bytes, kept) = new CacheMaintenance(Workspace(log), log).CollectGarbage(parse.GetValue(allCommits));
            return new { Removed = removed, Bytes = bytes, Kept = kept };
        }));
        return command;
    }

    private static Command Fsck()
    {
        var repair = new Option<bool>("--repair") { Description = "Move corrupt objects to the cache's quarantine folder and fetch them again from the default remote, if there is one" };
        var json = CommonOptions.Json();
        var command = new Command("fsck", "Re-hash every cache object and report the corrupt ones (exit 1 if any)") { repair, json };
        command.SetAction(parse =>
        {
            var corrupt = 0;
            var exit = CliAction.Run(parse.GetValue(json), log =>
            {
                var workspace = Workspace(log);
                var found = new CacheMaintenance(workspace, log).Check(parse.GetValue(repair));
                corrupt = found.Count;
                var refetched = 0;
                if (parse.GetValue(repair) && found.Count > 0 && workspace.Repository.Config.DefaultRemote is not null)
                {
                    // Repair: the quarantined objects are fetched again, verified, from the default remote.
                    using var storage = RemoteRegistry.Open(workspace.Repository, null);
                    using var cacheLock = DirectoryLock.Shared(workspace.Cache.Root);
                    refetched = Wait(new DataTransfer(workspace.Cache, storage, log, 4).PullAsync(found.Select(id => (id, 0L)), CancellationToken.None)).Transferred;
                    corrupt -= refetched;
                }

                return new { Corrupt = found.Select(id => id.Reference).ToList(), Refetched = refetched };
            });
            return exit != 0 ? exit : corrupt > 0 ? 1 : 0;
        });
        return command;
    }

    private static DataWorkspace Workspace(Pipeline.IMlopsLog log) => new(MlopsRepository.Discover(Directory.GetCurrentDirectory()), log);

    private static Argument<string[]> Paths() => new("paths") { Description = "Tracked paths or pointer files (default: every pointer file in the repository)", Arity = ArgumentArity.ZeroOrMore };

    private static Option<string?> RemoteOption() => new("--remote", "-r") { Description = "The remote to use (default: the default remote)" };

    private static Option<int> Jobs() => new("--jobs", "-j") { Description = "Transfers at once", DefaultValueFactory = _ => 8 };

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();
}
