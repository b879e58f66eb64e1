using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;

namespace Ingest.Aws.Tests.Infrastructure;

/// <summary>
/// DynamoDB items in the service's low-level JSON form (<c>{"name": {"S": "…"}}</c>), as the Step Functions integration
/// and boto3 write them, to and from the SDK's attribute values. Strings and numbers only: what those writers send.
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
        => new(item.Select(p => KeyValuePair.Create<string, JsonNode?>(
            p.Key,
            p.Value.S is not null ? new JsonObject { ["S"] = p.Value.S } : new JsonObject { ["N"] = p.Value.N })));
}
