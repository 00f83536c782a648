using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using BuildMlops.Diagnostics;
using BuildMlops.Images.Registry;
using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>Registries that cannot be reached, that fail for a while, and that refuse what is sent.</summary>
[TestFixture]
[SupportedOSPlatform("linux")]
public sealed class RegistryErrorTests : RegistryFixture
{
    [Test]
    public void GivenAPortWithNothingListening_WhenResolved_ThenBM7004NamesTheRegistry()
    {
        var address = $"127.0.0.1:{ClosedPort()}";
        using var client = new RegistryClient(new RegistryOptions { InsecureRegistries = [address], Credentials = RegistryTestClient.Credentials(Server) });

        var error = Assert.ThrowsAsync<MlopsException>(() => client.ResolveAsync(ImageReference.Parse($"{address}/churn:1"), CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RegistryUnreachable));
        Assert.That(error.Message, Does.Contain($"cannot reach registry {address} (http)").And.Contain("Connection refused"));
        Assert.That(error.ToCanonicalString(), Does.StartWith($"mlops : error BM7004: http://{address}/v2/churn/manifests/1: "));
    }

    [Test]
    public void GivenAPlainHttpRegistryNotListedAsInsecure_WhenResolved_ThenBM7004SuggestsListingIt()
    {
        using var client = new RegistryClient(new RegistryOptions { Credentials = RegistryTestClient.Credentials(Server) });

        var error = Assert.ThrowsAsync<MlopsException>(() => client.ResolveAsync(RegistryTestClient.Reference(Server, "churn:1"), CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RegistryUnreachable));
        Assert.That(error.Message, Does.Contain($"cannot reach registry {Server.Address} (https): the TLS handshake failed"));
        Assert.That(error.Help, Does.Contain("MlopsInsecureRegistries"));
    }

    [Test]
    public async Task GivenARegistryThatIsBusyTwice_WhenPushed_ThenTheRequestsAreRepeatedAndThePushSucceeds()
    {
        var busy = 0;
        var handler = new InterceptingHandler(async (request, forward) =>
            request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal) && Interlocked.Increment(ref busy) <= 2
                ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request }
                : await forward());
        using var client = RegistryTestClient.For(Server, handler);

        var pushed = await client.PushAsync(Image.LayoutDirectory, null, RegistryTestClient.Reference(Server, "busy:1"), [], null, CancellationToken.None);

        Assert.That(pushed.ManifestDigest, Is.EqualTo(Image.ManifestDigest));
        Assert.That(handler.Count("PUT", "/busy/manifests/1"), Is.EqualTo(3));
    }

    [Test]
    public void GivenARegistryThatStaysBusy_WhenResolved_ThenBM7006AfterThreeAttempts()
    {
        var handler = new InterceptingHandler((request, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadGateway) { RequestMessage = request }));
        using var client = RegistryTestClient.For(Server, handler);

        var error = Assert.ThrowsAsync<MlopsException>(() => client.ResolveAsync(RegistryTestClient.Reference(Server, "churn:1"), CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RegistryProtocolError));
        Assert.That(error.Message, Does.Contain("502"));
        Assert.That(handler.Requests, Has.Count.EqualTo(3), "the HEAD, three times");
    }

    [Test]
    public void GivenAManifestWhoseBlobsTheRegistryLacks_WhenPushed_ThenBM7006CarriesTheRegistrysErrorCode()
    {
        // Claiming every blob is present makes the push skip them, so the real registry refuses the manifest.
        var handler = new InterceptingHandler(async (request, forward) =>
            request.Method == HttpMethod.Head && request.RequestUri!.AbsolutePath.Contains("/blobs/", StringComparison.Ordinal)
                ? new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request }
                : await forward());
        using var client = RegistryTestClient.For(Server, handler);

        var error = Assert.ThrowsAsync<MlopsException>(() => client.PushAsync(Image.LayoutDirectory, null, RegistryTestClient.Reference(Server, "lacking:1"), [], null, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.RegistryProtocolError));
        Assert.That(error.Message, Does.Contain("PUT /v2/lacking/manifests/1 answered 400").And.Contain("MANIFEST_BLOB_UNKNOWN"));
    }

    /// <summary>A port nothing listens on: bound and released, with nothing started on it since.</summary>
    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
