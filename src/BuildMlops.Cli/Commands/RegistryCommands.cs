using System.CommandLine;
using System.Globalization;
using BuildMlops.Cli.Projects;
using BuildMlops.Diagnostics;
using BuildMlops.ModelRegistry;
using BuildMlops.Pipeline;
using BuildMlops.Repository;
using BuildMlops.Spec;

namespace BuildMlops.Cli.Commands;

/// <summary>
/// <c>mlops registry register|list|show|promote|rollback|history|download</c>: thin commands over
/// <see cref="ModelRegistryStore"/>, which holds every rule; these only parse, print and shape --json.
/// </summary>
internal static class RegistryCommands
{
    public static Command Create()
    {
        var registry = new Command("registry", "Versions, aliases and an audit log of trained models, on the default remote (or in .mlops/registry)");
        registry.Subcommands.Add(Register());
        registry.Subcommands.Add(List());
        registry.Subcommands.Add(Show());
        registry.Subcommands.Add(Promote());
        registry.Subcommands.Add(Rollback());
        registry.Subcommands.Add(History());
        registry.Subcommands.Add(Download());
        return registry;
    }

    private static Command Register()
    {
        var project = CommonOptions.Project();
        var properties = CommonOptions.Properties();
        var name = new Option<string?>("--name") { Description = "The model's name in the registry (default: MlopsModelName, else the project file's name in lower case)" };
        var json = CommonOptions.Json();
        var specOption = new Option<FileInfo?>("--spec") { Description = "The spec.json the SDK's MlopsWriteSpec target wrote (used by MSBuild)", Hidden = true };
        var worker = new Option<bool>("--worker") { Description = "Report in the MSBuild worker protocol (used by MSBuild's MlopsRegister)", Hidden = true };
        var command = new Command("register", "Store the project's built model, metrics, lock file, model card and lineage as a new version") { project, properties, name, json, specOption, worker };
        command.SetAction(parse =>
        {
            if (parse.GetValue(worker) && parse.GetValue(specOption) is { } specFile)
            {
                // As MSBuild's MlopsRegister target runs it: the spec is given, the steps already ran.
                var protocol = new WorkerProtocol.Writer(Console.Out, string.Equals(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase));
                try
                {
                    var raw = RawSpec.FromJson(File.ReadAllText(specFile.FullName));
                    var registered = RegisterProject(ModelSpecParser.Parse(raw), raw, parse.GetValue(name), protocol);
                    protocol.Important($"MlopsRegister: {(registered.Created ? "registered" : "already registered as")} {registered.Model} version {registered.Version} in {registered.Store}");
                    return 0;
                }
                catch (MlopsException error)
                {
                    protocol.Error(error);
                    return WorkerProtocol.UserErrorExitCode;
                }
            }

            return CliAction.Run(parse.GetValue(json), log =>
            {
                var projectFile = ProjectLocator.Find(parse.GetValue(project));
                var spec = SpecLoader.Load(projectFile, parse.GetValue(properties) ?? []);
                // MlopsModelName reaches the registry through the spec file the evaluation just wrote (at its default place).
                var specFile = Path.Combine(spec.IntermediateDirectory, "spec.json");
                var raw = File.Exists(specFile) ? RawSpec.FromJson(File.ReadAllText(specFile)) : new RawSpec { ProjectFile = projectFile };
                return RegisterProject(spec, raw, parse.GetValue(name), log);
            });
        });
        return command;
    }

    private static RegistrationResult RegisterProject(ModelSpec spec, RawSpec raw, string? name, IMlopsLog log)
    {
        var input = RegistrationInput.FromProject(spec, raw, name);
        using var store = ModelRegistryStore.Open(MlopsRepository.Discover(spec.ProjectDirectory), log);
        var outcome = Wait(store.RegisterWithOutcomeAsync(input, CancellationToken.None));
        return new RegistrationResult(
            outcome.Version.Model,
            outcome.Version.Version,
            outcome.Created,
            outcome.Version.Fingerprint,
            outcome.Version.ModelSha256,
            outcome.Version.Gates.Passed,
            store.Location,
            store.ConditionalWrites);
    }

    /// <summary>What register reports (--json's result).</summary>
    private sealed record RegistrationResult(string Model, int Version, bool Created, string Fingerprint, string ModelSha256, bool GatesPassed, string Store, bool? ConditionalWrites);

    private static Command List()
    {
        var model = new Argument<string?>("model") { Description = "A model: list its versions (default: list the models)", Arity = ArgumentArity.ZeroOrOne };
        var json = CommonOptions.Json();
        var command = new Command("list", "List the registered models, or one model's versions and aliases") { model, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            using var store = OpenStore(log);
            if (parse.GetValue(model) is not { } name)
            {
                var models = new List<object>();
                foreach (var found in Wait(store.ListModelsAsync(CancellationToken.None)))
                {
                    var listing = Wait(store.ListVersionsAsync(found, CancellationToken.None));
                    var aliases = Wait(store.ListAliasesAsync(found, CancellationToken.None));
                    var latest = listing.Versions.Count == 0 ? (int?)null : listing.Versions[^1].Version;
                    log.Important($"{found}\t{Plural(listing.Versions.Count, "version")}\tlatest {latest?.ToString(CultureInfo.InvariantCulture) ?? "none"}{string.Concat(aliases.Select(alias => $"\t{alias.Alias} -> {alias.Version}"))}");
                    models.Add(new { Name = found, Versions = listing.Versions.Count, Latest = latest, Aliases = aliases.ToDictionary(alias => alias.Alias, alias => alias.Version) });
                }

                if (models.Count == 0)
                {
                    log.Important($"no models registered in {store.Location}");
                }

                return new { Store = store.Location, Models = models };
            }

            var versions = Wait(store.ListVersionsAsync(name, CancellationToken.None));
            var pointers = Wait(store.ListAliasesAsync(name, CancellationToken.None));
            foreach (var version in versions.Versions)
            {
                var aliases = pointers.Where(alias => alias.Version == version.Version).Select(alias => alias.Alias).ToList();
                log.Important($"{version.Version}\t{Time(version.RegisteredAt)}\tgates {(version.Gates.Passed ? "passed" : "failed")}\t{string.Join(" ", version.MetricValues.Select(metric => $"{metric.Key} {Number(metric.Value)}"))}{(aliases.Count > 0 ? $"\t[{string.Join(", ", aliases)}]" : "")}");
            }

            foreach (var number in versions.Incomplete)
            {
                log.Important($"{number}\tincomplete (claimed by a registration that has not finished)");
            }

            return new
            {
                Model = name,
                Store = store.Location,
                Versions = versions.Versions.Select(version => new
                {
                    version.Version,
                    RegisteredAt = Time(version.RegisteredAt),
                    version.RegisteredBy,
                    GatesPassed = version.Gates.Passed,
                    Metrics = Metrics(version),
                    version.ModelSha256,
                    version.GitCommit,
                    Aliases = pointers.Where(alias => alias.Version == version.Version).Select(alias => alias.Alias).ToList(),
                }).ToList(),
                Aliases = pointers.ToDictionary(alias => alias.Alias, alias => alias.Version),
                versions.Incomplete,
                versions.Corrupt,
            };
        }));
        return command;
    }

    private static Command Show()
    {
        var model = ModelArgument();
        var version = new Argument<string>("version") { Description = "A version number, an alias or 'latest' (default: latest)", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => RegistryNames.Latest };
        var card = new Option<bool>("--card") { Description = "Print the version's model card (card.md)" };
        var json = CommonOptions.Json();
        var command = new Command("show", "Show one version: metrics, gates, lineage, files and aliases") { model, version, card, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            using var store = OpenStore(log);
            var name = parse.GetValue(model)!;
            var found = Wait(store.RequireAsync(name, parse.GetValue(version)!, CancellationToken.None));
            var lineage = Wait(store.ReadLineageAsync(found, CancellationToken.None));
            var aliases = Wait(store.ListAliasesAsync(name, CancellationToken.None)).Where(alias => alias.Version == found.Version).Select(alias => alias.Alias).ToList();
            var cardText = parse.GetValue(card) ? Wait(store.ReadCardAsync(found, CancellationToken.None)) : null;
            if (cardText is not null)
            {
                log.Important(cardText.TrimEnd('\n'));
            }
            else
            {
                log.Important($"{found.Model} version {found.Version}{(aliases.Count > 0 ? $" [{string.Join(", ", aliases)}]" : "")}");
                log.Important($"  registered  {Time(found.RegisteredAt)} by {found.RegisteredBy} on {lineage.Machine}");
                log.Important($"  predicts    {found.Task} {found.Label}{(found.PositiveClass is null ? "" : $" (positive class {found.PositiveClass})")}");
                log.Important($"  metrics     {string.Join(", ", found.MetricValues.Select(metric => $"{metric.Key} {Number(metric.Value)}"))}");
                log.Important($"  gates       {(found.Gates.Results.Count == 0 ? "none" : found.Gates.Passed ? "passed" : "failed: " + string.Join("; ", found.Gates.DescribeFailures()))}");
                log.Important($"  trainer     {lineage.Trainer}, seed {lineage.Parameters.GetValueOrDefault("MlopsSeed", "?")}, test fraction {lineage.Parameters.GetValueOrDefault("MlopsTestFraction", "?")}");
                log.Important($"  commit      {(found.GitCommit is null ? "not in git" : found.GitCommit + (found.GitDirty == true ? " (dirty)" : ""))}");
                log.Important($"  model.zip   {found.ModelFile.Size.ToString("N0", CultureInfo.InvariantCulture)} bytes, sha256 {found.ModelSha256}");
            }

            return new
            {
                found.Model,
                found.Version,
                RegisteredAt = Time(found.RegisteredAt),
                found.RegisteredBy,
                found.Fingerprint,
                found.ModelSha256,
                found.Task,
                found.Label,
                found.PositiveClass,
                found.GitCommit,
                found.GitDirty,
                found.ImageDigest,
                Metrics = Metrics(found),
                Gates = new { found.Gates.Passed, Results = found.Gates.Results.Select(gate => new { gate.Metric, Value = Finite(gate.Value), gate.Min, gate.Max, gate.Passed }).ToList() },
                Files = found.Files.Values.OrderBy(file => file.Name, StringComparer.Ordinal).Select(file => new { file.Name, file.Sha256, file.Size }).ToList(),
                Aliases = aliases,
                Lineage = new
                {
                    lineage.Project,
                    Data = lineage.Data.Select(data => new { data.Name, data.Hash, data.Size }).ToList(),
                    lineage.Rows,
                    lineage.Trainer,
                    lineage.Parameters,
                    lineage.Hyperparameters,
                    lineage.Versions,
                    lineage.RegisteredWith,
                    lineage.Machine,
                },
                Store = store.Location,
                Card = cardText,
            };
        }));
        return command;
    }

    private static Command Promote()
    {
        var model = ModelArgument();
        var version = new Argument<string>("version") { Description = "The version to point the alias at: a number, another alias or 'latest'" };
        var alias = new Argument<string>("alias") { Description = "The alias, e.g. production or staging" };
        var reason = Reason(required: false);
        var force = new Option<bool>("--force") { Description = "Promote even though the version's gates failed (needs --reason; the audit log records it)" };
        var json = CommonOptions.Json();
        var command = new Command("promote", "Point an alias at a version whose gates passed; the move is recorded in the audit log") { model, version, alias, reason, force, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            using var store = OpenStore(log);
            var move = Wait(store.PromoteAsync(parse.GetValue(model)!, parse.GetValue(version)!, parse.GetValue(alias)!, parse.GetValue(reason), parse.GetValue(force), CancellationToken.None));
            return MoveResult(move, store);
        }));
        return command;
    }

    private static Command Rollback()
    {
        var model = ModelArgument();
        var alias = new Argument<string>("alias") { Description = "The alias to move back, e.g. production" };
        var reason = Reason(required: true);
        var json = CommonOptions.Json();
        var command = new Command("rollback", "Move an alias back to the version it pointed at before its last move") { model, alias, reason, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            using var store = OpenStore(log);
            var move = Wait(store.RollbackAsync(parse.GetValue(model)!, parse.GetValue(alias)!, parse.GetValue(reason) ?? "", CancellationToken.None));
            return MoveResult(move, store);
        }));
        return command;
    }

    private static Command History()
    {
        var model = ModelArgument();
        var alias = new Option<string?>("--alias") { Description = "Only the moves of this alias" };
        var json = CommonOptions.Json();
        var command = new Command("history", "Show the audit log: every alias move, who made it, when, from which version to which, and why") { model, alias, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            using var store = OpenStore(log);
            var events = Wait(store.HistoryAsync(parse.GetValue(model)!, parse.GetValue(alias), CancellationToken.None));
            foreach (var found in events)
            {
                var from = found.From?.ToString(CultureInfo.InvariantCulture) ?? "(new)";
                var notes = (found.Forced ? " [forced past failed gates]" : "") + (found.Applied ? "" : " [not applied: lost a race with another move]");
                log.Important($"{found.Sequence}\t{Time(found.When)}\t{found.Alias}\t{from} -> {found.To}\t{found.Action}\t{found.Who}\t{(found.Why.Length == 0 ? "(no reason given)" : found.Why)}{notes}");
            }

            if (events.Count == 0)
            {
                log.Important("no alias has been moved yet");
            }

            return new
            {
                Model = parse.GetValue(model),
                Events = events.Select(Event).ToList(),
            };
        }));
        return command;
    }

    private static Command Download()
    {
        var model = ModelArgument();
        var version = new Argument<string>("version") { Description = "A version number, an alias or 'latest'" };
        var output = new Option<string?>("--output", "-o") { Description = "The folder to write to (default: ./<model>-<version>)" };
        var json = CommonOptions.Json();
        var command = new Command("download", "Download a version's files, each verified against its recorded hash") { model, version, output, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            using var store = OpenStore(log);
            var found = Wait(store.RequireAsync(parse.GetValue(model)!, parse.GetValue(version)!, CancellationToken.None));
            var directory = Wait(store.DownloadModelAsync(found, parse.GetValue(output) ?? $"{found.Model}-{found.Version}", CancellationToken.None));
            return new { found.Model, found.Version, Directory = directory, Files = found.Files.Keys.Order(StringComparer.Ordinal).ToList() };
        }));
        return command;
    }

    private static ModelRegistryStore OpenStore(IMlopsLog log) => ModelRegistryStore.Open(MlopsRepository.Discover(Directory.GetCurrentDirectory()), log);

    private static Argument<string> ModelArgument() => new("model") { Description = "The model's name in the registry, e.g. churn" };

    private static Option<string?> Reason(bool required) => new("--reason") { Description = "Why: recorded in the audit log", Required = required };

    private static object MoveResult(AliasMove move, ModelRegistryStore store) => new
    {
        move.Model,
        move.Alias,
        move.From,
        move.To,
        move.Moved,
        Event = move.Event is null ? null : Event(move.Event),
        Store = store.Location,
        ConditionalWrites = store.ConditionalWrites,
    };

    private static object Event(AuditEvent found) => new
    {
        found.Sequence,
        found.Alias,
        found.Action,
        found.From,
        found.To,
        found.Who,
        When = Time(found.When),
        found.Why,
        found.Forced,
        found.GatesPassed,
        found.Applied,
        found.Machine,
    };

    /// <summary>JSON has no NaN: an undefined metric is null.</summary>
    private static Dictionary<string, double?> Metrics(RegisteredVersion version) =>
        version.MetricValues.ToDictionary(metric => metric.Key, metric => Finite(metric.Value));

    private static double? Finite(double? value) => value is { } number && double.IsFinite(number) ? number : null;

    private static string Number(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "NaN";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
}
