using System.Text.Json.Nodes;

namespace Ingest.Aws.Tests.CloudWatch;

/// <summary>
/// The rules of the CloudWatch Embedded Metric Format specification a record must follow for CloudWatch Logs to extract
/// its metrics: a root <c>_aws</c> object with an integer <c>Timestamp</c> (epoch milliseconds) and a non-empty
/// <c>CloudWatchMetrics</c> array of directives; each directive has a <c>Namespace</c> (1–255 characters), <c>Dimensions</c>
/// (an array of dimension sets, each an array of at most 30 names that are root string members) and <c>Metrics</c> (at
/// most 100, each with a <c>Name</c> of 1–255 characters that is a root number member, and a <c>Unit</c> CloudWatch knows).
/// </summary>
public static class EmfSpec
{
    private static readonly HashSet<string> Units =
    [
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits",
        "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
        "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
        "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    ];

    public static List<string> Check(string line)
    {
        var problems = new List<string>();
        if (JsonNode.Parse(line) is not JsonObject root)
        {
            return ["the record is not a JSON object"];
        }

        if (root["_aws"] is not JsonObject aws)
        {
            return ["no _aws object"];
        }

        if (aws["Timestamp"] is not JsonValue timestamp || !timestamp.TryGetValue<long>(out var ms) || ms <= 0)
        {
            problems.Add("_aws.Timestamp is not a positive integer of epoch milliseconds");
        }

        if (aws["CloudWatchMetrics"] is not JsonArray { Count: > 0 } directives)
        {
            problems.Add("_aws.CloudWatchMetrics is not a non-empty array");
            return problems;
        }

        foreach (var directive in directives)
        {
            if (directive?["Namespace"] is not JsonValue ns || !ns.TryGetValue<string>(out var name) || name.Length is 0 or > 255)
            {
                problems.Add("a directive has no Namespace of 1–255 characters");
            }

            if (directive?["Dimensions"] is not JsonArray sets)
            {
                problems.Add("a directive has no Dimensions array");
            }
            else
            {
                foreach (var set in sets)
                {
                    if (set is not JsonArray dimensions || dimensions.Count > 30)
                    {
                        problems.Add("a dimension set is not an array of at most 30 names");
                        continue;
                    }

                    foreach (var dimension in dimensions.Select(d => d?.GetValue<string>() ?? string.Empty))
                    {
                        if (root[dimension] is not JsonValue value || !value.TryGetValue<string>(out _))
                        {
                            problems.Add($"dimension {dimension} has no string member at the root");
                        }
                    }
                }
            }

            if (directive?["Metrics"] is not JsonArray { Count: > 0 and <= 100 } metrics)
            {
                problems.Add("a directive has no Metrics array of 1–100 entries");
                continue;
            }

            foreach (var metric in metrics)
            {
                var metricName = metric?["Name"]?.GetValue<string>() ?? string.Empty;
                if (metricName.Length is 0 or > 255)
                {
                    problems.Add("a metric has no Name of 1–255 characters");
                }
                else if (root[metricName] is not JsonValue value || !value.TryGetValue<double>(out _))
                {
                    problems.Add($"metric {metricName} has no number member at the root");
                }

                if (metric?["Unit"]?.GetValue<string>() is { } unit && !Units.Contains(unit))
                {
                    problems.Add($"metric {metricName} has the unknown unit {unit}");
                }
            }
        }

        return problems;
    }
}
