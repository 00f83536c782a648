using System.CommandLine;
using BuildMlops.Diagnostics;
using BuildMlops.Repository;

namespace BuildMlops.Cli.Commands;

/// <summary><c>mlops remote add|list|remove|default</c>: the remotes in the committed .mlops/config.json.</summary>
internal static class RemoteCommands
{
    public static Command Create()
    {
        var remote = new Command("remote", "Configure where data and runs are pushed: a folder, or s3://bucket/prefix");
        remote.Subcommands.Add(Add());
        remote.Subcommands.Add(List());
        remote.Subcommands.Add(Remove());
        return remote;
    }

    private static Command Add()
    {
        var name = new Argument<string>("name") { Description = "A name for the remote, e.g. storage" };
        var url = new Argument<string>("url") { Description = "A folder path (relative to the repository root, or absolute) or s3://bucket/prefix" };
        var makeDefault = new Option<bool>("--default", "-d") { Description = "Make it the default remote" };
        var options = new Option<string[]>("--option", "-o") { Description = "A remote option as key=value: endpoint, region, path_style (S3); repeatable", AllowMultipleArgumentsPerToken = false };
        var json = CommonOptions.Json();
        var command = new Command("add", "Add or replace a remote") { name, url, makeDefault, options, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            var repository = MlopsRepository.Discover(Directory.GetCurrentDirectory());
            var settings = new RemoteSettings { Url = parse.GetValue(url)! };
            if (settings.Scheme is not ("" or "s3"))
            {
                throw new MlopsException(ErrorCodes.BadRemote, new SourceLocation(repository.ConfigPath), $"the url '{settings.Url}' has an unsupported scheme '{settings.Scheme}'", "Use a folder path or s3://bucket/prefix");
            }

            foreach (var option in parse.GetValue(options) ?? [])
            {
                var separator = option.IndexOf('=', StringComparison.Ordinal);
                if (separator <= 0)
                {
                    throw new MlopsException(ErrorCodes.BadRemote, new SourceLocation(repository.ConfigPath), $"option '{option}' is not key=value", "Write e.g. --option endpoint=http://127.0.0.1:9000");
                }

                settings.Options[option[..separator]] = option[(separator + 1)..];
            }

            repository.Config.Remotes[parse.GetValue(name)!] = settings;
            if (parse.GetValue(makeDefault) || repository.Config.DefaultRemote is null)
            {
                repository.Config.DefaultRemote = parse.GetValue(name);
            }

            repository.SaveConfig();
            log.Important($"remote '{parse.GetValue(name)}' -> {settings.Url}{(repository.Config.DefaultRemote == parse.GetValue(name) ? " (default)" : "")}; commit {Path.GetRelativePath(repository.Root, repository.ConfigPath)}");
            return new { Name = parse.GetValue(name), settings.Url, Default = repository.Config.DefaultRemote == parse.GetValue(name) };
        }));
        return command;
    }

    private static Command List()
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "List the remotes") { json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            var repository = MlopsRepository.Discover(Directory.GetCurrentDirectory());
            foreach (var (name, settings) in repository.Config.Remotes)
            {
                log.Important($"{name}\t{settings.Url}{(repository.Config.DefaultRemote == name ? "\t(default)" : "")}");
            }

            return repository.Config.Remotes.Select(pair => new { Name = pair.Key, pair.Value.Url, pair.Value.Options, Default = repository.Config.DefaultRemote == pair.Key }).ToList();
        }));
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "The remote to remove" };
        var json = CommonOptions.Json();
        var command = new Command("remove", "Remove a remote from the configuration (its contents are left alone)") { name, json };
        command.SetAction(parse => CliAction.Run(parse.GetValue(json), log =>
        {
            var repository = MlopsRepository.Discover(Directory.GetCurrentDirectory());
            if (!repository.Config.Remotes.Remove(parse.GetValue(name)!))
            {
                throw new MlopsException(ErrorCodes.BadRemote, new SourceLocation(repository.ConfigPath), $"there is no remote named '{parse.GetValue(name)}'", "See 'mlops remote list'");
            }

            if (repository.Config.DefaultRemote == parse.GetValue(name))
            {
                repository.Config.DefaultRemote = null;
            }

            repository.SaveConfig();
            log.Important($"removed remote '{parse.GetValue(name)}'");
            return new { Name = parse.GetValue(name) };
        }));
        return command;
    }
}
