using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OnPremToAthena;

/// <summary>The command line: <c>--home DIR</c>, <c>--rows N</c>, <c>--clean</c>, and the target with its AWS settings.</summary>
internal sealed record SampleOptions(string Home, int Rows, bool Clean)
{
    public const string Usage = """
        usage: dotnet run --project samples/OnPremToAthena -- [--home DIR] [--rows N] [--clean]
                 [--target local|aws] [--terraform-outputs FILE] [--aws-settings FILE] [--create-resources]
          --home DIR                work folder for the generated extract and the local lake (default ./.ingest-sample)
          --rows N                  orders in the first extract (default 250000; customers = N/12, July extract = N/10)
          --clean                   delete the work folder first (the lake is always recreated; --clean also drops the extract)
          --target aws              ingest into S3 and DynamoDB instead of a local lake (needs an empty table and buckets;
                                    on AWS the Glue tables are kept too); the end shows the ingest CLI commands that
                                    query the lake in Athena and run Glue datasets
          --terraform-outputs FILE  with aws: what 'terraform output -json' printed
          --aws-settings FILE       with aws: a JSON file with an "Aws" section; INGEST_Aws__* variables override both
          --create-resources        with aws: create the buckets and the table when absent (local servers, trials)
        """;

    /// <summary>Gets a value indicating whether the flow runs against S3 and DynamoDB.</summary>
    public bool Aws { get; init; }

    /// <summary>Gets the <c>terraform output -json</c> file, if any.</summary>
    public string? TerraformOutputs { get; init; }

    /// <summary>Gets the settings file with an <c>Aws</c> section, if any.</summary>
    public string? AwsSettings { get; init; }

    /// <summary>Gets a value indicating whether the AWS buckets and table are created when absent.</summary>
    public bool CreateResources { get; init; }

    public static bool TryParse(string[] args, [NotNullWhen(true)] out SampleOptions? options, out string error)
    {
        var home = Path.GetFullPath(".ingest-sample");
        var rows = 250_000;
        var clean = false;
        var aws = false;
        var createResources = false;
        string? terraformOutputs = null;
        string? awsSettings = null;
        options = null;
        error = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--home" when i + 1 < args.Length:
                    home = Path.GetFullPath(args[++i]);
                    break;
                case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1000:
                    rows = n;
                    i++;
                    break;
                case "--clean":
                    clean = true;
                    break;
                case "--target" when i + 1 < args.Length && args[i + 1] is "local" or "aws":
                    aws = args[++i] == "aws";
                    break;
                case "--terraform-outputs" when i + 1 < args.Length:
                    terraformOutputs = Path.GetFullPath(args[++i]);
                    break;
                case "--aws-settings" when i + 1 < args.Length:
                    awsSettings = Path.GetFullPath(args[++i]);
                    break;
                case "--create-resources":
                    createResources = true;
                    break;
                case "--help" or "-h":
                    error = "OnPremToAthena: the Ingest flow from an on-premise extract to SQL, with checks.";
                    return false;
                default:
                    error = $"unknown or incomplete option '{args[i]}' (--rows needs a whole number of at least 1000, --target local or aws)";
                    return false;
            }
        }

        if (!aws && (terraformOutputs ?? awsSettings) is not null || !aws && createResources)
        {
            error = "--terraform-outputs, --aws-settings and --create-resources need --target aws";
            return false;
        }

        options = new SampleOptions(home, rows, clean)
        {
            Aws = aws,
            TerraformOutputs = terraformOutputs,
            AwsSettings = awsSettings,
            CreateResources = createResources,
        };
        return true;
    }
}
