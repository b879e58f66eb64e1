using Amazon.S3;

namespace Ingest.Aws.S3;

/// <summary>The request settings every S3 call of the lake shares.</summary>
internal sealed record S3Settings(string? KmsKeyId, string? ExpectedBucketOwner, long PartSizeBytes, bool Emulator)
{
    /// <summary>Gets the server-side encryption: SSE-KMS with the key when one is configured, else SSE-S3.</summary>
    public ServerSideEncryptionMethod Encryption => KmsKeyId is null ? ServerSideEncryptionMethod.AES256 : ServerSideEncryptionMethod.AWSKMS;
}
