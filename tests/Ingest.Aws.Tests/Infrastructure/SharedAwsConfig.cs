using System.Runtime.CompilerServices;

namespace Ingest.Aws.Tests.Infrastructure;

/// <summary>
/// Points the shared AWS config and credentials files of this test process at a folder of its own before any test runs:
/// the SDK reads <c>AWS_CONFIG_FILE</c> and <c>AWS_SHARED_CREDENTIALS_FILE</c> once per process, so the profile tests can
/// only write profiles into files chosen here, and no test sees the developer's <c>~/.aws</c>.
/// </summary>
internal static class SharedAwsConfig
{
    public static string Folder { get; } = Directory.CreateTempSubdirectory("ingest-aws-tests-config-").FullName;

    public static string ConfigFile => Path.Combine(Folder, "config");

    public static string CredentialsFile => Path.Combine(Folder, "credentials");

    /// <summary>Replaces both files (empty strings leave no profile).</summary>
    public static void Write(string config, string credentials)
    {
        File.WriteAllText(ConfigFile, config);
        File.WriteAllText(CredentialsFile, credentials);
    }

    [ModuleInitializer]
    internal static void PointTheSdkHere()
    {
        Write(string.Empty, string.Empty);
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", ConfigFile);
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", CredentialsFile);
    }
}
