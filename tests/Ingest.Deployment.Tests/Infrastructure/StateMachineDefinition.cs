using System.Text.RegularExpressions;

namespace Ingest.Deployment.Tests.Infrastructure;

/// <summary>terraform/step_functions/ingest.asl.json, rendered the way Terraform's templatefile renders it.</summary>
internal static partial class StateMachineDefinition
{
    public const string TableName = "aws-challenge-dev-ingest-metadata";
    public const string GlueJobName = "ingest-glue-job";
    public const string TopicArn = "arn:aws:sns:eu-west-1:123456789012:aws-challenge-dev-ingest-failures";
    public const int MaxConcurrency = 4;

    public static string Template => File.ReadAllText(RepoPaths.StateMachineTemplate);

    /// <summary>The names of the <c>${…}</c> placeholders in the template.</summary>
    public static IReadOnlySet<string> Placeholders()
        => Placeholder().Matches(Template).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Renders the template into a temporary file and returns its path.</summary>
    public static string RenderToFile()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["metadata_table"] = TableName,
            ["glue_job_name"] = GlueJobName,
            ["failure_topic_arn"] = TopicArn,
            ["max_concurrency"] = MaxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var rendered = Placeholder().Replace(Template, m => values.TryGetValue(m.Groups[1].Value, out var v)
            ? v
            : throw new InvalidOperationException($"No test value for ${{{m.Groups[1].Value}}}."));
        var path = Path.Combine(Path.GetTempPath(), $"ingest-asl-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, rendered);
        return path;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Placeholder();
}
