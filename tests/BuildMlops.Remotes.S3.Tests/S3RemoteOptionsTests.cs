using BuildMlops.Diagnostics;
using BuildMlops.Repository;
using NUnit.Framework;

namespace BuildMlops.Remotes.S3.Tests;

[TestFixture]
public sealed class S3RemoteOptionsTests
{
    [TestCase("s3://bucket", "bucket", "", "s3://bucket")]
    [TestCase("s3://bucket/", "bucket", "", "s3://bucket")]
    [TestCase("s3://bucket/data/v1/", "bucket", "data/v1", "s3://bucket/data/v1")]
    [TestCase("S3://bucket/p", "bucket", "p", "s3://bucket/p")]
    public void GivenAnS3Url_WhenParsed_ThenBucketAndPrefixAreFound(string url, string bucket, string prefix, string canonical)
    {
        var location = S3Location.Parse("storage", url);

        Assert.That(location, Is.EqualTo(new S3Location(bucket, prefix)));
        Assert.That(location.ToString(), Is.EqualTo(canonical));
        Assert.That(location.ObjectKey("files/x"), Is.EqualTo(prefix.Length == 0 ? "files/x" : $"{prefix}/files/x"));
    }

    [TestCase("s3://")]
    [TestCase("s3:///prefix")]
    [TestCase("gs://bucket")]
    [TestCase("s3://bucket/a//b")]
    public void GivenAUrlThatNamesNoS3Location_WhenParsed_ThenBM5007(string url)
    {
        var error = Assert.Throws<MlopsException>(() => S3Location.Parse("storage", url))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.BadRemote));
        Assert.That(error.Message, Does.Contain("'storage'").And.Contain(url));
    }

    [Test]
    public void GivenAnEndpoint_WhenOptionsAreRead_ThenPathStyleIsOnByDefault_AndTheRegionIsAsGiven()
    {
        var options = S3RemoteOptions.FromSettings("storage", Settings(("endpoint", "http://127.0.0.1:4568"), ("region", "eu-west-3")));

        Assert.That(options.Endpoint, Is.EqualTo(new Uri("http://127.0.0.1:4568")));
        Assert.That(options.PathStyle, Is.True);
        Assert.That(options.Region, Is.EqualTo("eu-west-3"));
        Assert.That(options.EndpointDescription, Is.EqualTo("http://127.0.0.1:4568"));
    }

    [Test]
    public void GivenNoEndpoint_WhenOptionsAreRead_ThenVirtualHostedStyle_UnlessPathStyleIsAskedFor()
    {
        Assert.That(S3RemoteOptions.FromSettings("storage", Settings()).PathStyle, Is.False);
        Assert.That(S3RemoteOptions.FromSettings("storage", Settings(("path_style", "true"))).PathStyle, Is.True);
        Assert.That(S3RemoteOptions.FromSettings("storage", Settings(("endpoint", "https://minio.local"), ("path_style", "false"))).PathStyle, Is.False);
    }

    [TestCase("endpoint", "127.0.0.1:4568")]
    [TestCase("endpoint", "ftp://host")]
    [TestCase("path_style", "yes")]
    [TestCase("access_key_id", "AKIA")]
    public void GivenABadOrUnknownOption_WhenOptionsAreRead_ThenBM5007NamesIt(string option, string value)
    {
        var error = Assert.Throws<MlopsException>(() => S3RemoteOptions.FromSettings("storage", Settings((option, value))))!;

        Assert.That(error.Code, Is.EqualTo(ErrorCodes.BadRemote));
        Assert.That(error.Message, Does.Contain(option == "access_key_id" ? option : value));
    }

    [TestCase(80L << 20, 8L << 20)]
    [TestCase(160_000L << 20, 16L << 20)]
    [TestCase(1L << 40, 105L << 20)]
    public void GivenAFileSize_WhenThePartSizeIsChosen_ThenThereAreAtMost10000Parts(long length, long expected)
    {
        var partSize = S3MultipartUpload.PartSizeFor(length, S3RemoteOptions.DefaultPartSize);

        Assert.That(partSize, Is.EqualTo(expected));
        Assert.That((length + partSize - 1) / partSize, Is.LessThanOrEqualTo(10_000));
    }

    private static RemoteSettings Settings(params (string Key, string Value)[] options)
    {
        var settings = new RemoteSettings { Url = "s3://bucket/prefix" };
        foreach (var (key, value) in options)
        {
            settings.Options[key] = value;
        }

        return settings;
    }
}
