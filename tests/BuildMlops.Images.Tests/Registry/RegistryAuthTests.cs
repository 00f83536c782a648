using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BuildMlops.Diagnostics;
using BuildMlops.Images.Registry;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>A real registry behind htpasswd (Basic challenges), reached with credentials from each place they are read from.</summary>
[TestFixture]
[SupportedOSPlatform("linux")]
public sealed class RegistryAuthTests() : RegistryFixture(withAuth: true)
{
    [Test]
    public async Task GivenCredentialsInTheEnvironmentVariables_WhenPushedAndPulled_ThenTheRegistryTakesThem()
    {
        using var client = RegistryTestClient.For(Server, credentials: RegistryTestClient.Credentials(Server));

        var pushed = await client.PushAsync(Image.LayoutDirectory, null, Reference("from-env:1"), [], null, CancellationToken.None);
        var pulled = await client.PullAsync(Reference("from-env:1"), Temporary.Combine("from-env-pull"), "base", "amd64", "linux", CancellationToken.None);

        Assert.That(pushed.BlobsUploaded, Is.EqualTo(4));
        Assert.That(pulled.ManifestDigest, Is.EqualTo(Image.ManifestDigest));
        var inspect = JsonDocument.Parse(Tools.Run("skopeo", "inspect", "--tls-verify=false", "--creds", $"{RegistryServer.Username}:{Server.Password}", $"docker://{Server.Address}/from-env:1").StandardOutput).RootElement;
        Assert.That(inspect.GetProperty("Digest").GetString(), Is.EqualTo(Image.ManifestDigest));
    }

    [TestCase("{0}", TestName = "GivenADockerConfigAuthsEntryKeyedByHost_WhenPushed_ThenItsCredentialsAreUsed")]
    [TestCase("https://{0}/", TestName = "GivenADockerConfigAuthsEntryKeyedByUrl_WhenPushed_ThenItsCredentialsAreUsed")]
    [TestCase("http://{0}/v2/", TestName = "GivenADockerConfigAuthsEntryKeyedByApiUrl_WhenPushed_ThenItsCredentialsAreUsed")]
    public async Task DockerConfigAuths(string keyFormat)
    {
        var key = string.Format(System.Globalization.CultureInfo.InvariantCulture, keyFormat, Server.Address);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RegistryServer.Username}:{Server.Password}"));
        var dockerConfig = DockerConfig(new JsonObject
        {
            ["auths"] = new JsonObject
            {
                ["other.example:5000"] = new JsonObject { ["auth"] = "eDp5" },
                [key] = new JsonObject { ["auth"] = auth },
            },
        }.ToJsonString());
        using var client = RegistryTestClient.For(Server, credentials: new DockerCredentialProvider(name => name == "DOCKER_CONFIG" ? dockerConfig : null));

        var pushed = await client.PushAsync(Image.LayoutDirectory, null, Reference("from-config:1"), [], null, CancellationToken.None);

        Assert.That(pushed.ManifestDigest, Is.EqualTo(Image.ManifestDigest));
    }

    [TestCase(true, TestName = "GivenACredHelpersEntry_WhenPushed_ThenTheHelpersAnswerIsUsed")]
    [TestCase(false, TestName = "GivenACredsStore_WhenPushed_ThenTheHelpersAnswerIsUsed")]
    public async Task CredentialHelper(bool perRegistry)
    {
        var bin = Temporary.Combine("helper-bin-" + perRegistry);
        Directory.CreateDirectory(bin);
        var asked = Temporary.Combine("helper-asked-" + perRegistry);
        var helper = Path.Combine(bin, "docker-credential-test");
        File.WriteAllText(helper, $$"""
            #!/bin/sh
            # A Docker credential helper: 'get' reads the Server on stdin and answers its credential as JSON.
            [ "$1" = get ] || exit 1
            read -r Server
            printf '%s' "$Server" > '{{asked}}'
            printf '{"ServerURL":"%s","Username":"{{RegistryServer.Username}}","Secret":"{{Server.Password}}"}\n' "$Server"
            """);
        File.SetUnixFileMode(helper, (UnixFileMode)0b111_101_101);
        var dockerConfig = DockerConfig(perRegistry
            ? $$$"""{"auths":{"{{{Server.Address}}}":{}},"credHelpers":{"{{{Server.Address}}}":"test"}}"""
            : """{"auths":{},"credsStore":"test"}""");
        var path = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        var provider = new DockerCredentialProvider(name => name switch { "DOCKER_CONFIG" => dockerConfig, "PATH" => path, _ => null });
        using var client = RegistryTestClient.For(Server, credentials: provider);

        var pushed = await client.PushAsync(Image.LayoutDirectory, null, Reference("from-helper:1"), [], null, CancellationToken.None);

        Assert.That(pushed.ManifestDigest, Is.EqualTo(Image.ManifestDigest));
        Assert.That(File.ReadAllText(asked), Is.EqualTo(Server.Address), "the helper was asked about this registry");
    }

    [Test]
    public void GivenAWrongPassword_WhenPushed_ThenBM7003NamesTheRegistryAndWhereCredentialsComeFromButNotThePassword()
    {
        const string WrongPassword = "not-the-password-0d3f";
        using var client = RegistryTestClient.For(Server, credentials: RegistryTestClient.Credentials(Server, WrongPassword));

        var error = Assert.ThrowsAsync<MlopsException>(() => client.PushAsync(Image.LayoutDirectory, null, Reference("wrong:1"), [], null, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RegistryAccessDenied));
        Assert.That(error.Message, Does.Contain($"registry {Server.Address} refused the credentials of '{RegistryServer.Username}' from MLOPS_REGISTRY_USERNAME/MLOPS_REGISTRY_PASSWORD"));
        Assert.That(error.Help, Does.Contain("config.json"));
        Assert.That(error.ToCanonicalString() + error, Does.Not.Contain(WrongPassword).And.Not.Contain(Server.Password!));
    }

    [Test]
    public void GivenNoCredentialsAnywhere_WhenPushed_ThenBM7003SaysHowToLogIn()
    {
        var home = Temporary.Combine("empty-home");
        using var client = RegistryTestClient.For(Server, credentials: new DockerCredentialProvider(name => name == "HOME" ? home : null));

        var error = Assert.ThrowsAsync<MlopsException>(() => client.PushAsync(Image.LayoutDirectory, null, Reference("anonymous:1"), [], null, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RegistryAccessDenied));
        Assert.That(error.Message, Does.Contain($"registry {Server.Address} wants credentials for anonymous:pull,push and none were found"));
        Assert.That(error.Help, Does.Contain($"docker login {Server.Address}").And.Contain("MLOPS_REGISTRY_USERNAME").And.Contain(Path.Combine(home, ".docker", "config.json")));
    }

    [Test]
    public async Task GivenATokenServiceInFrontOfTheRegistry_WhenPushed_ThenTheClientFetchesOneBearerTokenPerScopeWithBasicCredentials()
    {
        using var tokens = new BearerTokenService(Server);
        using var client = RegistryTestClient.For(Server, tokens.Handler, RegistryTestClient.Credentials(Server));

        var pushed = await client.PushAsync(Image.LayoutDirectory, null, Reference("bearer:1"), ["also"], ["from-env"], CancellationToken.None);
        var resolved = await client.ResolveAsync(Reference("bearer:also"), CancellationToken.None);

        Assert.That(resolved, Is.EqualTo(pushed.ManifestDigest));
        Assert.That(tokens.Requests, Is.EquivalentTo(new[]
        {
            "service=buildmlops-tests scope=repository:bearer:pull,push user=" + RegistryServer.Username,
            "service=buildmlops-tests scope=repository:bearer:pull,push scope=repository:from-env:pull user=" + RegistryServer.Username,
            "service=buildmlops-tests scope=repository:bearer:pull user=" + RegistryServer.Username,
        }), "one token per set of scopes, each fetched once and then reused");
    }

    [Test]
    public void GivenATokenServiceThatRefusesThePassword_WhenPushed_ThenBM7003WithoutThePassword()
    {
        const string WrongPassword = "wrong-for-the-token-service";
        using var tokens = new BearerTokenService(Server);
        using var client = RegistryTestClient.For(Server, tokens.Handler, RegistryTestClient.Credentials(Server, WrongPassword));

        var error = Assert.ThrowsAsync<MlopsException>(() => client.PushAsync(Image.LayoutDirectory, null, Reference("bearer-refused:1"), [], null, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RegistryAccessDenied));
        Assert.That(error.Message, Does.Contain("refused the credentials"));
        Assert.That(error.ToCanonicalString() + error, Does.Not.Contain(WrongPassword));
    }

    private string DockerConfig(string json)
    {
        var folder = Temporary.Combine("docker-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), json);
        return folder;
    }
}
