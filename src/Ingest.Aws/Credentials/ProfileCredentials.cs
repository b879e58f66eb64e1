using System.Net.Sockets;
using Amazon.Runtime;

namespace Ingest.Aws.Credentials;

/// <summary>
/// The SDK's credentials of a named profile (<see cref="Inner"/>, the SDK's own type: assume-role, SSO, static, …) with one
/// addition: an SSO profile without a valid token fails with a <see cref="AwsCredentialsException"/> that tells the user
/// to sign in (<c>aws sso login --profile …</c>) instead of the SDK's bare "No valid SSO Token".
/// </summary>
internal sealed class ProfileCredentials(AWSCredentials inner, string profile) : AWSCredentials
{
    /// <summary>Gets the credentials the SDK made of the profile.</summary>
    public AWSCredentials Inner { get; } = inner;

    /// <summary>Gets the profile's name.</summary>
    public string Profile { get; } = profile;

    public override ImmutableCredentials GetCredentials()
    {
        try
        {
            return Inner.GetCredentials();
        }
        catch (AmazonClientException ex) when (NeedsSsoLogin(ex))
        {
            throw SsoLoginRequired(ex);
        }
    }

    public override async Task<ImmutableCredentials> GetCredentialsAsync()
    {
        try
        {
            return await Inner.GetCredentialsAsync().ConfigureAwait(false);
        }
        catch (AmazonClientException ex) when (NeedsSsoLogin(ex))
        {
            throw SsoLoginRequired(ex);
        }
    }

    /// <summary>An SSO profile's failure that signing in cures: no token, an expired or revoked one; not a broken connection.</summary>
    private bool NeedsSsoLogin(AmazonClientException exception)
    {
        if (Inner is not SSOAWSCredentials)
        {
            return false;
        }

        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or IOException or SocketException or TimeoutException or TaskCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    private AwsCredentialsException SsoLoginRequired(AmazonClientException exception)
        => new($"AWS profile '{Profile}' is an SSO profile without a valid sign-in ({exception.Message.TrimEnd('.')}): run `aws sso login --profile {Profile}` and try again.", exception);
}

/// <summary>Credentials could not be had and a retry will not help until the user acts (the message says how).</summary>
internal sealed class AwsCredentialsException(string message, Exception innerException) : AmazonClientException(message, innerException);
