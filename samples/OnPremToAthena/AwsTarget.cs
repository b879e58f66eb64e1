using Ingest;
using Ingest.Aws;
using Ingest.Definitions;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace OnPremToAthena;

/// <summary>The AWS backends of the sample: S3 and DynamoDB, configured as the ingest CLI is.</summary>
internal static class AwsTarget
{
    /// <summary>
    /// Settings merged in this order, later wins: the Terraform outputs, the settings file's <c>Aws</c> section,
    /// <c>INGEST_Aws__*</c> environment variables (<c>INGEST_Aws__Region</c>, <c>INGEST_Aws__ZoneBuckets__raw</c>).
    /// Credentials come from the SDK's default chain, or <c>Aws:Profile</c>.
    /// </summary>
    public static AwsIngestOptions LoadOptions(SampleOptions sample)
    {
        var options = sample.TerraformOutputs is { } outputs
            ? AwsIngestOptions.FromTerraformOutputs(File.ReadAllText(outputs))
            : new AwsIngestOptions();
        var builder = new ConfigurationBuilder();
        if (sample.AwsSettings is { } file)
        {
            builder.AddJsonFile(file, optional: false);
        }

        builder.AddEnvironmentVariables("INGEST_").Build().GetSection("Aws").Bind(options);
        return options;
    }

    /// <summary>Creates the backends (and the resources with <c>--create-resources</c>); the story needs a table without its datasets.</summary>
    public static async Task<IngestBackends> CreateBackendsAsync(SampleOptions sample)
    {
        var options = LoadOptions(sample);
        if (sample.CreateResources)
        {
            await AwsIngest.EnsureResourcesAsync(options);
        }

        var backends = AwsIngest.CreateBackends(options);

        // On AWS, registering creates the Glue tables and every run registers its partitions, so that Athena sees the data
        // (as the ingest CLI does). Local servers have no Glue unless Aws:GlueServiceUrl names one.
        if (!options.EmulatorCompatibility || options.GlueServiceUrl is not null)
        {
            // The sample reads back through the lake, not Athena: it takes Glue's catalogs and keeps its own query engine.
            var analytics = backends.WithGlueAndAthena(options);
            backends = backends with
            {
                Catalog = analytics.Catalog,

                // Iceberg tables are committed in Glue, where Athena finds them.
                IcebergCatalog = analytics.IcebergCatalog,
            };
        }

        foreach (var dataset in new[] { "sales.customers", "sales.orders" })
        {
            if (await backends.Registry.GetAsync(DatasetId.Parse(dataset)) is { } registered)
            {
                throw new InvalidOperationException(
                    $"{dataset} is already registered (v{registered.Version}) in table {options.TableName}: the sample tells its story from an empty lake, so point it at a table and buckets of its own (Aws:TableName, Aws:Bucket or Aws:ZoneBuckets).");
            }
        }

        return backends;
    }

    /// <summary>Prints the rest of the AWS flow: the same lake queried in Athena and run on Glue, with the ingest CLI.</summary>
    public static void ShowNextSteps(SampleOptions sample)
    {
        var settings = string.Join(' ', new[]
        {
            sample.TerraformOutputs is { } outputs ? $"--terraform-outputs {outputs}" : null,
            sample.AwsSettings is { } file ? $"--aws-settings {file}" : null,
        }.Where(o => o is not null));
        var ingest = $"ingest --target aws {settings}".TrimEnd();
        AnsiConsole.MarkupLine("[bold]Next, with the ingest CLI[/] (src/Ingest.Cli; the same settings):");
        AnsiConsole.MarkupLine(Markup.Escape($"  query in Athena:  {ingest} query \"select country, count(*) from sales.orders where CAST(order_ts AS DATE) >= ? group by 1\" --param 2025-01-01"));
        AnsiConsole.MarkupLine(Markup.Escape($"  inspect runs:     {ingest} runs sales.orders"));
        AnsiConsole.MarkupLine(Markup.Escape($"  run on Glue:      {ingest} run <dataset> <file> --engine glue   (definitions with \"engine\": {{\"kind\": \"glue\"}})"));
    }
}
