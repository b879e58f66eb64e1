using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace Ingest.Aws.Credentials;

/// <summary>
/// Resolves the credentials of <see cref="AwsIngestOptions"/> once for every client (S3, DynamoDB and the JSON clients):
/// explicit credentials, a named profile of the shared config, or the SDK's default chain. Profiles resolve through the
/// SDK's own profile chain, so every kind it knows works: static keys, <c>role_arn</c> with <c>source_profile</c> or
/// <c>credential_source</c> (AWSSDK.SecurityToken), web identity, <c>credential_process</c> and SSO (AWSSDK.SSO and
/// AWSSDK.SSOOIDC, which the SDK loads by name at run time).
/// </summary>
internal static class AwsCredentialResolver
{
    /// <summary>Returns the options' credentials and the profile's region; <see langword="null"/> credentials mean the SDK's default chain.</summary>
    /// <exception cref="ArgumentException">The profile is not in the shared config or credentials files, or the SDK cannot make credentials of it.</exception>
    public static (AWSCredentials? Credentials, string? Region) Resolve(AwsIngestOptions options)
    {
        if (options.Credentials is not null)
        {
            return (options.Credentials, null);
        }

        if (options.Profile is null)
        {
            return (null, null);
        }

        var chain = new CredentialProfileStoreChain();
        if (!chain.TryGetProfile(options.Profile, out var profile))
        {
            throw new ArgumentException($"AwsIngestOptions.Profile '{options.Profile}' is not in the shared AWS config or credentials files ({ConfigFiles()}).", nameof(options));
        }

        if (!chain.TryGetAWSCredentials(options.Profile, out var credentials))
        {
            throw new ArgumentException($"AwsIngestOptions.Profile '{options.Profile}' is in the shared AWS config but the SDK cannot make credentials of it: check its keys (aws_access_key_id and aws_secret_access_key, role_arn with source_profile or credential_source, web_identity_token_file, credential_process, or sso_session with sso_account_id and sso_role_name).", nameof(options));
        }

        return (new ProfileCredentials(credentials, options.Profile), profile.Region?.SystemName);
    }

    /// <summary>Like <see cref="Resolve"/>, with the default chain (which also takes SSO profiles) deferred to the first request instead of <see langword="null"/>.</summary>
    public static (AWSCredentials Credentials, string? Region) ResolveOrDefault(AwsIngestOptions options)
    {
        var (credentials, region) = Resolve(options);
        return (credentials ?? new DefaultChainCredentials(), region);
    }

    private static string ConfigFiles()
        => $"{Environment.GetEnvironmentVariable("AWS_CONFIG_FILE") ?? "~/.aws/config"}, {Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials"}";

    /// <summary>
    /// The SDK's default chain, resolved at the first request: environment keys, web identity, the profile
    /// <c>AWS_PROFILE</c> (or <c>default</c>), container, instance role. The profile step resolves the profile as a named
    /// one, because the SDK's own default chain refuses SSO profiles ("This type of profile is not allowed here").
    /// </summary>
    private sealed class DefaultChainCredentials : AWSCredentials
    {
        private readonly Lazy<AWSCredentials> _resolved = new(() =>
        {
            var profile = Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 } named ? named : "default";
            var fromEnvironment = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is { Length: > 0 }
                || Environment.GetEnvironmentVariable("AWS_WEB_IDENTITY_TOKEN_FILE") is { Length: > 0 };
            var resolved = !fromEnvironment && new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var fromProfile)
                ? fromProfile
                : DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
            return new ProfileCredentials(resolved, profile);
        });

        public override ImmutableCredentials GetCredentials() => _resolved.Value.GetCredentials();

        public override Task<ImmutableCredentials> GetCredentialsAsync() => _resolved.Value.GetCredentialsAsync();
    }
}
