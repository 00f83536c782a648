using BuildMlops.Testing;
using NUnit.Framework;

namespace BuildMlops.Images.Tests.Registry;

/// <summary>Starts a fixture's registry. Without docker-registry (or htpasswd) every test of the fixture fails with
/// what to install: CI=true or not, these tests are never skipped.</summary>
internal static class RegistrySetUp
{
    public static RegistryServer StartRegistry(bool withAuth = false)
    {
        try
        {
            return RegistryServer.Start(withAuth);
        }
        catch (InvalidOperationException exception)
        {
            var where = Environment.GetEnvironmentVariable("CI") == "true" ? "CI must install it: check .ci/run" : "install it";
            Assert.Fail($"the registry tests need a real registry, {where}. {exception.Message}");
            throw;
        }
    }
}
