using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;

namespace BuildMlops.Remotes.S3;

/// <summary>
/// The SDK's client for path-style addressing, with one change: a request on the bucket itself (a
/// listing) goes to <c>/bucket</c>, as the AWS CLI sends it, not <c>/bucket/</c>. S3 takes both, but
/// some S3-compatible servers (s3rver) sign the path without the slash and so refuse the SDK's
/// signature (SignatureDoesNotMatch). Object requests are left as they are.
/// </summary>
internal sealed class S3PathStyleClient(AmazonS3Config config) : AmazonS3Client(config)
{
    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        // Before signing, after the endpoint is resolved: the signature covers the path.
        pipeline.AddHandlerBefore<Signer>(new BucketPathWithoutSlash());
    }

    private sealed class BucketPathWithoutSlash : PipelineHandler
    {
        public override void InvokeSync(IExecutionContext executionContext)
        {
            Trim(executionContext.RequestContext.Request);
            base.InvokeSync(executionContext);
        }

        public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            Trim(executionContext.RequestContext.Request);
            return base.InvokeAsync<T>(executionContext);
        }

        /// <summary>Endpoint <c>http://host/bucket/</c> plus resource <c>/</c> becomes <c>http://host/bucket</c>.</summary>
        private static void Trim(IRequest request)
        {
            if (request.ResourcePath == "/" && request.Endpoint.AbsolutePath.Length > 1)
            {
                request.ResourcePath = "";
                request.Endpoint = new Uri(request.Endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + request.Endpoint.Query);
            }
        }
    }
}
