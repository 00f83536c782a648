using System.Reflection;
using Cake.Core;
using Cake.Core.Annotations;
using Cake.Core.IO;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Cake.Tests;

/// <summary>What each alias asks Cake to run: the executable, the arguments, and where.</summary>
public sealed class MlopsAliasesTests
{
    private string _previousDirectory = null!;
    private TemporaryDirectory _root = null!;
    private RecordingProcessRunner _runner = null!;
    private ICakeContext _context = null!;

    /// <summary>The script's folder: relative paths in the aliases resolve against it.</summary>
    private string Root => _root.Path;

    [SetUp]
    public void SetUp()
    {
        // Cake's environment makes its working directory the process's current one: put it back afterwards.
        _previousDirectory = Environment.CurrentDirectory;
        _root = new TemporaryDirectory("cake-aliases");
        _runner = new RecordingProcessRunner();
        _context = CakeContextFactory.Create(_runner, Root);
    }

    [TearDown]
    public void TearDown()
    {
        Environment.CurrentDirectory = _previousDirectory;
        _root.Dispose();
    }

    [Test]
    public void Train_builds_the_project_with_node_reuse_off_and_nothing_else()
    {
        _context.MlopsTrain("pipelines/churn/churn.csproj");

        var started = _runner.Single;
        Assert.That(started.FileName, Is.EqualTo("dotnet").Or.EqualTo("dotnet.exe"));
        Assert.That(started.Arguments, Is.EqualTo($"build {Root}/pipelines/churn/churn.csproj -nodeReuse:false"));
    }

    [Test]
    public void Train_passes_configuration_and_properties_in_the_order_they_were_set()
    {
        var settings = new MlopsSettings { Configuration = "Release" }
            .WithProperty("MlopsSeed", "7")
            .WithProperty("MlopsTestFraction", "0.25");

        _context.MlopsTrain("pipelines/churn", settings);

        Assert.That(_runner.Single.Arguments, Is.EqualTo(
            $"build {Root}/pipelines/churn -c Release -nodeReuse:false -p:MlopsSeed=7 -p:MlopsTestFraction=0.25"));
    }

    [Test]
    public void Node_reuse_is_left_to_msbuild_only_when_asked()
    {
        _context.MlopsTrain("churn.csproj", new MlopsSettings { NodeReuse = true });

        Assert.That(_runner.Single.Arguments, Does.Not.Contain("nodeReuse"));
    }

    [Test]
    public void Verify_sets_MlopsVerify_true_even_over_a_property_that_says_otherwise()
    {
        _context.MlopsVerify("churn.csproj", new MlopsSettings().WithProperty("MlopsVerify", "false"));

        Assert.That(_runner.Single.Arguments, Is.EqualTo($"build {Root}/churn.csproj -nodeReuse:false -p:MlopsVerify=true"));
    }

    [Test]
    public void Package_runs_the_MlopsPackage_target_with_the_image_tag()
    {
        _context.MlopsPackage("churn.csproj", new MlopsSettings { Configuration = "Release", ImageTag = "1.2.3" });

        Assert.That(_runner.Single.Arguments, Is.EqualTo(
            $"build {Root}/churn.csproj -t:MlopsPackage -c Release -nodeReuse:false -p:MlopsImageTag=1.2.3"));
    }

    [Test]
    public void Push_with_a_registry_argument_uses_it_over_the_settings_registry()
    {
        _context.MlopsPush("churn.csproj", "ghcr.io/acme", new MlopsSettings { ImageRegistry = "registry.example:5000" });

        Assert.That(_runner.Single.Arguments, Is.EqualTo(
            $"build {Root}/churn.csproj -t:MlopsPush -nodeReuse:false -p:MlopsImageRegistry=ghcr.io/acme"));
    }

    [Test]
    public void Push_escapes_list_separators_so_msbuild_reads_one_property_per_setting()
    {
        var settings = new MlopsSettings
        {
            ImageRegistry = "127.0.0.1:5000",
            ImageTags = { "latest", "stable" },
            InsecureRegistries = { "127.0.0.1:5000", "localhost:5000" },
        };

        _context.MlopsPush("churn.csproj", settings);

        Assert.That(_runner.Single.Arguments, Is.EqualTo(
            $"build {Root}/churn.csproj -t:MlopsPush -nodeReuse:false -p:MlopsImageRegistry=127.0.0.1:5000 " +
            "-p:MlopsImageTags=latest%3Bstable -p:MlopsInsecureRegistries=127.0.0.1:5000%3Blocalhost:5000"));
    }

    [Test]
    public void Property_values_keep_percent_and_comma_literal_and_are_quoted_when_they_hold_spaces()
    {
        _context.MlopsTrain("my models/churn.csproj", new MlopsSettings().WithProperty("Description", "churn, 100% real"));

        Assert.That(_runner.Single.Arguments, Is.EqualTo(
            $"build \"{Root}/my models/churn.csproj\" -nodeReuse:false \"-p:Description=churn%2C 100%25 real\""));
    }

    [Test]
    public void Register_runs_the_MlopsRegister_target()
    {
        _context.MlopsRegister("pipelines/credit/credit.csproj", new MlopsSettings().WithProperty("MlopsPackage", "true"));

        Assert.That(_runner.Single.Arguments, Is.EqualTo(
            $"build {Root}/pipelines/credit/credit.csproj -t:MlopsRegister -nodeReuse:false -p:MlopsPackage=true"));
    }

    [Test]
    public void Run_target_runs_any_target_the_caller_names()
    {
        _context.MlopsRunTarget("churn.csproj", "MlopsSmokeTest");

        Assert.That(_runner.Single.Arguments, Is.EqualTo($"build {Root}/churn.csproj -t:MlopsSmokeTest -nodeReuse:false"));
    }

    [Test]
    public void Promote_runs_registry_promote_through_the_local_tool_with_the_reason_quoted()
    {
        _context.MlopsPromote("churn", "3", "production", "release 1.2.3");

        var started = _runner.Single;
        Assert.That(started.FileName, Is.EqualTo("dotnet").Or.EqualTo("dotnet.exe"));
        Assert.That(started.Arguments, Is.EqualTo("mlops registry promote churn 3 production --reason \"release 1.2.3\""));
    }

    [Test]
    public void Promote_runs_the_mlops_dll_the_settings_name_in_the_working_directory_they_name()
    {
        _context.MlopsPromote("churn", "latest", "staging", "rc", new MlopsSettings
        {
            MlopsPath = "src/BuildMlops.Sdk/tools/net10.0/mlops.dll",
            WorkingDirectory = Root + "/other",
        });

        var started = _runner.Single;
        Assert.That(started.Arguments, Is.EqualTo($"{Root}/src/BuildMlops.Sdk/tools/net10.0/mlops.dll registry promote churn latest staging --reason rc"));
        Assert.That(started.WorkingDirectory?.FullPath, Is.EqualTo(Root + "/other"));
    }

    [Test]
    public void Cli_commands_run_in_the_scripts_folder_by_default()
    {
        _context.MlopsDataPull();

        Assert.That(_runner.Single.Arguments, Is.EqualTo("mlops pull"));
        Assert.That(_runner.Single.WorkingDirectory?.FullPath, Is.EqualTo(Root));
    }

    [Test]
    public void Promote_without_a_reason_is_refused_before_anything_runs()
    {
        Assert.Throws<ArgumentException>(() => _context.MlopsPromote("churn", "3", "production", " "));
        Assert.That(_runner.Started, Is.Empty);
    }

    [Test]
    public void Rollback_runs_registry_rollback_with_its_reason()
    {
        _context.MlopsRollback("churn", "production", "bad release");

        Assert.That(_runner.Single.Arguments, Is.EqualTo("mlops registry rollback churn production --reason \"bad release\""));
    }

    [Test]
    public void Data_push_adds_run_cache_only_when_asked()
    {
        _context.MlopsDataPush(runCache: true);
        _context.MlopsDataPush(runCache: false);

        Assert.That(_runner.Started.Select(process => process.Arguments), Is.EqualTo(new[] { "mlops push --run-cache", "mlops push" }));
    }

    [Test]
    public void An_mlops_path_that_is_not_a_dll_is_refused_with_what_to_do()
    {
        var error = Assert.Throws<CakeException>(() => _context.MlopsDataPull(new MlopsSettings { MlopsPath = "/usr/local/bin/mlops" }));

        Assert.That(error!.Message, Does.Contain("mlops.dll").And.Contain("dotnet mlops"));
        Assert.That(_runner.Started, Is.Empty);
    }

    [Test]
    public void A_failing_command_fails_the_alias_and_names_it()
    {
        _runner.ExitCode = 1;

        var error = Assert.Throws<CakeException>(() => _context.MlopsTrain("churn.csproj"));

        Assert.That(error!.Message, Does.StartWith("MlopsTrain failed: dotnet exited with code 1"));
        Assert.That(error.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void Argument_customization_still_applies_as_for_any_cake_tool()
    {
        var settings = new MlopsSettings { ArgumentCustomization = arguments => arguments.Append("-v:minimal") };

        _context.MlopsTrain("churn.csproj", settings);

        Assert.That(_runner.Single.Arguments, Is.EqualTo($"build {Root}/churn.csproj -nodeReuse:false -v:minimal"));
    }

    [Test]
    public void Every_public_alias_is_a_documented_cake_method_alias_on_the_context()
    {
        var aliases = typeof(MlopsAliases).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly);

        Assert.That(aliases.Select(method => method.Name).Distinct(), Is.EquivalentTo(new[]
        {
            "MlopsTrain", "MlopsVerify", "MlopsRunTarget", "MlopsPackage", "MlopsPush", "MlopsRegister",
            "MlopsPromote", "MlopsRollback", "MlopsDataPull", "MlopsDataPush",
        }));
        foreach (var alias in aliases)
        {
            Assert.That(alias.GetCustomAttribute<CakeMethodAliasAttribute>(), Is.Not.Null, alias.Name);
            Assert.That(alias.GetParameters()[0].ParameterType, Is.EqualTo(typeof(ICakeContext)), alias.Name);
        }

        Assert.That(typeof(MlopsAliases).GetCustomAttribute<CakeAliasCategoryAttribute>()?.Name, Is.EqualTo("BuildMlops"));
    }
}
