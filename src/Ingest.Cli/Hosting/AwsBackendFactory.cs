using System.Collections;
using Ingest.Aws;
using Microsoft.Extensions.Configuration;

namespace Ingest.Cli.Hosting;

/// <summary>
/// Opens the AWS backends (Ingest.Aws) from the settings of one invocation, merged in this order, later wins:
/// <c>--terraform-outputs</c> (what <c>terraform output -json</c> printed), <c>--aws-settings</c> (a JSON file with an
/// <c>Aws</c> section) and <c>INGEST_Aws__*</c> environment variables (<c>INGEST_Aws__ZoneBuckets__raw</c>).
/// </summary>
/// <param name="environment">The environment variables; the process's when <see langword="null"/> (tests pass their own).</param>
internal sealed class AwsBackendFactory(IReadOnlyDictionary<string, string?>? environment = null)
{
    /// <summary>The prefix of the environment variables read as configuration.</summary>
    public const string EnvironmentPrefix = "INGEST_";

    /// <summary>The configuration section of the AWS settings.</summary>
    public const string Section = "Aws";

    private const string Sources = "settings come from --terraform-outputs, --aws-settings and INGEST_Aws__* variables, later ones win";

    /// <summary>Builds the options without validating them.</summary>
    /// <exception cref="CliException">A file is missing or malformed, or a setting is unknown or of the wrong type.</exception>
    public AwsIngestOptions LoadOptions(GlobalSettings settings)
    {
        var options = new AwsIngestOptions();
        if (settings.TerraformOutputs is { } outputs)
        {
            var path = Arguments.ExistingFile(outputs, "--terraform-outputs file");
            try
            {
                options = AwsIngestOptions.FromTerraformOutputs(File.ReadAllText(path));
            }
            catch (ArgumentException ex)
            {
                throw new CliException($"--terraform-outputs {outputs}: {WithoutParameter(ex.Message)}");
            }
        }

        var builder = new ConfigurationBuilder();
        if (settings.AwsSettings is { } file)
        {
            builder.AddJsonFile(Arguments.ExistingFile(file, "--aws-settings file"), optional: false, reloadOnChange: false);
        }

        builder.AddInMemoryCollection(EnvironmentSettings());
        try
        {
            builder.Build().GetSection(Section).Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidDataException ex)
        {
            // A settings file that is not JSON.
            throw new CliException($"--aws-settings {settings.AwsSettings}: {ex.InnerException?.Message ?? ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            // A value of the wrong type ("Failed to convert configuration value at 'Aws:PartSizeBytes' …") or an unknown setting.
            throw new CliException($"AWS settings: {ex.Message.Replace("Ingest.Aws.AwsIngestOptions", "the Aws section", StringComparison.Ordinal)} ({Sources}).");
        }

        return options;
    }

    /// <summary>Gets or sets how often <c>run --engine glue</c> asks Step Functions for the execution's status.</summary>
    /// <value>The default is 5 seconds; tests against a loopback server shorten it.</value>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Builds the options and the backends (no request is made): the lake in S3, registry and ledger in DynamoDB, queries in
    /// Athena, and the catalog in Glue, except against local servers (<c>EmulatorCompatibility</c>) without a
    /// <c>GlueServiceUrl</c>, which have no Glue to keep tables in.
    /// </summary>
    /// <exception cref="CliException">A setting is missing or invalid; the message names it.</exception>
    public (AwsIngestOptions Options, IngestBackends Backends) Create(GlobalSettings settings)
    {
        var options = LoadOptions(settings);
        try
        {
            var backends = AwsIngest.CreateBackends(options);
            var analytics = HasGlue(options)
                ? backends.WithGlueAndAthena(options)
                : backends with
                {
                    Query = backends.IcebergCatalog is { } iceberg
                        ? AwsAnalytics.CreateQueryEngine(AwsAnalytics.CreateAthenaClient(options), options, backends.Registry, backends.Lake, iceberg)
                        : AwsAnalytics.CreateQueryEngine(AwsAnalytics.CreateAthenaClient(options), options),
                };

            // Local servers and no Athena among them: no query engine, rather than the region's public Athena endpoint.
            return (options, HasAthena(options) ? analytics : analytics with { Query = null });
        }
        catch (ArgumentException ex)
        {
            throw new CliException(SettingsError(ex));
        }
    }

    /// <summary>Returns whether the Glue Data Catalog is reachable: on AWS always, against local servers only with a <c>GlueServiceUrl</c>.</summary>
    public static bool HasGlue(AwsIngestOptions options) => !options.EmulatorCompatibility || options.GlueServiceUrl is not null;

    /// <summary>Returns whether Athena is reachable: on AWS always, against local servers only with an <c>AthenaServiceUrl</c>.</summary>
    public static bool HasAthena(AwsIngestOptions options) => !options.EmulatorCompatibility || options.AthenaServiceUrl is not null;

    /// <summary>The settings error of a query against local servers that include no Athena.</summary>
    public const string NoAthena = "AWS settings: Aws:EmulatorCompatibility is on (local servers) and Aws:AthenaServiceUrl is not set, so there is no Athena to query: set Aws:AthenaServiceUrl (INGEST_Aws__AthenaServiceUrl) to the local Athena server, or turn EmulatorCompatibility off to query the region's Athena.";

    /// <summary>Turns a validation error of <see cref="AwsIngestOptions"/> into one line naming the setting as the CLI user writes it.</summary>
    public static string SettingsError(ArgumentException ex)
        => $"AWS settings: {WithoutParameter(ex.Message).Replace("AwsIngestOptions.", "Aws:", StringComparison.Ordinal)} ({Sources}).";

    private static string WithoutParameter(string message) => message.Split(" (Parameter", 2)[0];

    private IEnumerable<KeyValuePair<string, string?>> EnvironmentSettings()
    {
        // The rule of AddEnvironmentVariables(prefix): the prefix is removed, "__" separates sections.
        IEnumerable<KeyValuePair<string, string?>> variables = environment
            ?? Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().Select(e => KeyValuePair.Create((string)e.Key, (string?)e.Value));
        return variables
            .Where(v => v.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(v => KeyValuePair.Create(v.Key[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), v.Value));
    }
}
