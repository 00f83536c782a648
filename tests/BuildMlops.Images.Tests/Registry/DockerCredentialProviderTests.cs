using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using BuildMlops.Diagnostics;
using BuildMlops.Images.Registry;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>Where credentials are found, in Docker's order and under each spelling of a registry's key.</summary>
[TestFixture]
[SupportedOSPlatform("linux")]
public sealed class DockerCredentialProviderTests
{
    private TemporaryDirectory temporary = null!;

    [SetUp]
    public void CreateFolder() => temporary = new TemporaryDirectory("docker-credentials");

    [TearDown]
    public void DeleteFolder() => temporary.Dispose();

    [TestCase("https://index.docker.io/v1/", TestName = "GivenDockerHubUnderItsLegacyKey_WhenAskedForDockerIo_ThenItIsFound")]
    [TestCase("docker.io", TestName = "GivenDockerHubUnderDockerIo_WhenAskedForDockerIo_ThenItIsFound")]
    [TestCase("registry-1.docker.io", TestName = "GivenDockerHubUnderItsApiHost_WhenAskedForDockerIo_ThenItIsFound")]
    public async Task DockerHubKeys(string key)
    {
        var provider = Provider(Config(new JsonObject { ["auths"] = new JsonObject { [key] = Auth("hub-user", "hub-pass") } }));

        var credential = await provider.GetAsync("docker.io", CancellationToken.None);

        Assert.That(credential, Is.EqualTo(new RegistryCredential("hub-user", "hub-pass", null) { Source = credential!.Source }));
        Assert.That(credential.Source, Does.EndWith("config.json (auths)"));
    }

    [Test]
    public async Task GivenTheEnvironmentVariablesAndAConfig_WhenAsked_ThenTheVariablesWinForEveryRegistry()
    {
        var config = Config(new JsonObject { ["auths"] = new JsonObject { ["ghcr.io"] = Auth("config-user", "config-pass") } });
        var provider = new DockerCredentialProvider(name => name switch
        {
            "DOCKER_CONFIG" => config,
            DockerCredentialProvider.UsernameVariable => "ci-user",
            DockerCredentialProvider.PasswordVariable => "ci-token",
            _ => null,
        });

        var ghcr = await provider.GetAsync("ghcr.io", CancellationToken.None);
        var other = await provider.GetAsync("registry.example:5000", CancellationToken.None);

        Assert.That((ghcr!.Username, ghcr.Password, other!.Username, other.Password), Is.EqualTo(("ci-user", "ci-token", "ci-user", "ci-token")));
        Assert.That(ghcr.Source, Is.EqualTo("MLOPS_REGISTRY_USERNAME/MLOPS_REGISTRY_PASSWORD"));
    }

    [Test]
    public void GivenOnlyTheUserNameVariable_WhenAsked_ThenBM7003SaysBothAreNeeded()
    {
        var provider = new DockerCredentialProvider(name => name == DockerCredentialProvider.UsernameVariable ? "ci-user" : null);

        var error = Assert.ThrowsAsync<MlopsException>(() => provider.GetAsync("ghcr.io", CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RegistryAccessDenied));
        Assert.That(error.Message, Does.Contain("only one of MLOPS_REGISTRY_USERNAME and MLOPS_REGISTRY_PASSWORD is set"));
    }

    [Test]
    public async Task GivenAnIdentityToken_WhenAsked_ThenItIsTheCredentialsRefreshToken()
    {
        var provider = Provider(Config(new JsonObject { ["auths"] = new JsonObject { ["https://myregistry.azurecr.io"] = new JsonObject { ["auth"] = Base64("00000000-0000-0000-0000-000000000000:"), ["identitytoken"] = "refresh-me" } } }));

        var credential = await provider.GetAsync("myregistry.azurecr.io", CancellationToken.None);

        Assert.That((credential!.IdentityToken, credential.Password), Is.EqualTo(("refresh-me", (string?)null)));
    }

    [Test]
    public async Task GivenAHelperAnsweringWithTheTokenUser_WhenAsked_ThenItsSecretIsAnIdentityToken()
    {
        var path = Helper("token", """{"Username":"<token>","Secret":"refresh-from-helper"}""");
        var config = Config(new JsonObject { ["credHelpers"] = new JsonObject { ["gcr.io"] = "token" } });
        var provider = new DockerCredentialProvider(name => name switch { "DOCKER_CONFIG" => config, "PATH" => path, _ => null });

        var credential = await provider.GetAsync("gcr.io", CancellationToken.None);

        Assert.That((credential!.Username, credential.IdentityToken), Is.EqualTo(((string?)null, "refresh-from-helper")));
        Assert.That(credential.Source, Is.EqualTo("credential helper docker-credential-token"));
    }

    [Test]
    public async Task GivenAHelperWithoutCredentialsForTheRegistry_WhenAsked_ThenThereIsNone()
    {
        var path = Helper("empty", "credentials not found in native keychain", exitCode: 1);
        var provider = new DockerCredentialProvider(name => name switch { "DOCKER_CONFIG" => Config(new JsonObject { ["credsStore"] = "empty" }), "PATH" => path, _ => null });

        Assert.That(await provider.GetAsync("ghcr.io", CancellationToken.None), Is.Null);
    }

    [Test]
    public void GivenAConfigNamingAHelperThatIsNotInstalled_WhenAsked_ThenBM7003NamesTheHelper()
    {
        var provider = new DockerCredentialProvider(name => name switch { "DOCKER_CONFIG" => Config(new JsonObject { ["credsStore"] = "absent" }), "PATH" => temporary.Path, _ => null });

        var error = Assert.ThrowsAsync<MlopsException>(() => provider.GetAsync("ghcr.io", CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RegistryAccessDenied));
        Assert.That(error.Message, Does.Contain("docker-credential-absent is not on PATH"));
    }

    [Test]
    public async Task GivenNoConfigAndNoVariables_WhenAsked_ThenThereIsNoneAndTheRegistryIsAskedAnonymously()
    {
        var provider = new DockerCredentialProvider(name => name == "HOME" ? temporary.Path : null);

        Assert.That(await provider.GetAsync("ghcr.io", CancellationToken.None), Is.Null);
        Assert.That(provider.ConfigPath, Is.EqualTo(temporary.Combine(".docker", "config.json")));
    }

    [Test]
    public void GivenACredential_WhenPrinted_ThenNoSecretShows()
    {
        var password = new RegistryCredential("user", "p4ssw0rd-secret", null) { Source = "test" };
        var token = new RegistryCredential(null, null, "t0ken-secret");

        Assert.That(password.ToString(), Does.Not.Contain("p4ssw0rd-secret").And.Contain("user").And.Contain("<redacted>"));
        Assert.That(token.ToString(), Does.Not.Contain("t0ken-secret").And.Contain("<redacted>"));
        Assert.That($"{password} {token}", Does.Not.Contain("secret"));
    }

    private static JsonObject Auth(string user, string password) => new() { ["auth"] = Base64($"{user}:{password}") };

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static DockerCredentialProvider Provider(string dockerConfig) => new(name => name == "DOCKER_CONFIG" ? dockerConfig : null);

    private string Config(JsonObject config)
    {
        var folder = temporary.Combine("config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        return folder;
    }

    /// <summary>A docker-credential-NAME script printing <paramref name="answer"/>; returns a PATH with its folder first.</summary>
    private string Helper(string name, string answer, int exitCode = 0)
    {
        var bin = temporary.Combine("bin-" + name);
        Directory.CreateDirectory(bin);
        var script = Path.Combine(bin, "docker-credential-" + name);
        File.WriteAllText(script, $"#!/bin/sh\ncat > /dev/null\nprintf '%s\\n' '{answer}'\nexit {exitCode}\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        return bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
    }
}
