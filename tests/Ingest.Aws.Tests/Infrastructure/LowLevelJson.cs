using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;

namespace Ingest.Aws.Tests.Infrastructure;

/// <summary>
/// DynamoDB items in the service's low-level JSON form (<c>{"name": {"S": "…"}}</c>), as the Step Functions integration
/// and boto3 write them, to and from the SDK's attribute values. Strings, numbers, booleans and maps: what those writers send.
/// </summary>
internal static class LowLevelJson
{
    public static Dictionary<string, AttributeValue> ToAttributes(JsonNode? node)
        => node is null
            ? []
            : node.AsObject().ToDictionary(
                p => p.Key,
                p => p.Value!["S"] is { } s ? new AttributeValue { S = s.GetValue<string>() } : new AttributeValue { N = p.Value!["N"]!.GetValue<string>() });

    public static JsonObject FromAttributes(Dictionary<string, AttributeValue> item)
        => new(item.Select(p => KeyValuePair.Create<string, JsonNode?>(p.Key, FromAttribute(p.Value))));

    /// <summary>One value: S, N, BOOL or M (the registry's runSettings map).</summary>
    public static JsonObject FromAttribute(AttributeValue value)
        => value switch
        {
            { S: not null } => new JsonObject { ["S"] = value.S },
            { N: not null } => new JsonObject { ["N"] = value.N },
            { BOOL: { } b } => new JsonObject { ["BOOL"] = b },
            { M: { Count: > 0 } } => new JsonObject { ["M"] = FromAttributes(value.M) },
            _ => throw new NotSupportedException("Only S, N, BOOL and M values are converted here."),
        };
}
