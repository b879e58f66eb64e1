using Ingest.TestSupport;
using System.Text.Json.Nodes;
using Ingest.Aws.Tests.Infrastructure;

namespace Ingest.Aws.Tests.Protocol;

/// <summary>
/// An official AWS API model (aws-sdk v2 <c>apis/{service}-{version}.min.json</c>, installed by <c>npm ci --prefix tests/aws-models</c>).
/// Checks a request on the wire against it: target prefix, content type (the model's jsonVersion), the operation, and the body
/// against the operation's input shape (every member known, JSON types as the shape says, required members present).
/// The minified models carry no enums, lengths or patterns, so those are not checked here.
/// </summary>
public sealed class AwsApiModel
{
    private readonly JsonObject _model;

    private AwsApiModel(string name, JsonObject model)
    {
        Name = name;
        _model = model;
    }

    public string Name { get; }

    public string TargetPrefix => _model["metadata"]!["targetPrefix"]!.GetValue<string>();

    public string JsonVersion => _model["metadata"]!["jsonVersion"]!.GetValue<string>();

    public string SigningName => (_model["metadata"]!["signingName"] ?? _model["metadata"]!["endpointPrefix"])!.GetValue<string>();

    public IEnumerable<string> Operations => _model["operations"]!.AsObject().Select(p => p.Key);

    public static string ModelsFolder => Path.Combine(AwsServers.TestsFolder, "aws-models", "node_modules", "aws-sdk", "apis");

    public static AwsApiModel Load(string name)
    {
        NpmPackages.EnsureInstalledAsync(Path.Combine(AwsServers.TestsFolder, "aws-models"), Path.Combine("node_modules", "aws-sdk", "package.json")).GetAwaiter().GetResult();
        var path = Path.Combine(ModelsFolder, name + ".min.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The AWS API model {path} is missing: install the models first (npm ci --prefix tests/aws-models).");
        }

        return new AwsApiModel(name, (JsonObject)JsonNode.Parse(File.ReadAllText(path))!);
    }

    /// <summary>Returns every problem of a request as sent on the wire; empty when it conforms.</summary>
    public List<string> CheckRequest(RecordedRequest request)
    {
        var problems = new List<string>();
        var target = request.Target;
        if (!target.StartsWith(TargetPrefix + ".", StringComparison.Ordinal))
        {
            problems.Add($"X-Amz-Target '{target}' does not start with the model's prefix '{TargetPrefix}.'");
        }

        var contentType = request.Headers.GetValueOrDefault("Content-Type", string.Empty);
        if (contentType != "application/x-amz-json-" + JsonVersion)
        {
            problems.Add($"Content-Type '{contentType}' is not application/x-amz-json-{JsonVersion}");
        }

        if (!request.Headers.GetValueOrDefault("Authorization", string.Empty).Contains($"/{SigningName}/aws4_request", StringComparison.Ordinal))
        {
            problems.Add($"the SigV4 scope does not name the service '{SigningName}'");
        }

        problems.AddRange(CheckInput(request.Operation, JsonNode.Parse(request.Body)));
        return problems;
    }

    public List<string> CheckInput(string operation, JsonNode? body) => Check(operation, "input", body);

    public List<string> CheckOutput(string operation, JsonNode? body) => Check(operation, "output", body);

    private List<string> Check(string operation, string direction, JsonNode? body)
    {
        var problems = new List<string>();
        if (_model["operations"]![operation] is not JsonObject op)
        {
            problems.Add($"{Name} has no operation {operation}");
            return problems;
        }

        var shape = op[direction] is JsonObject s ? Resolve(s) : new JsonObject { ["type"] = "structure", ["members"] = new JsonObject() };
        CheckValue(shape, body, $"{operation}.{direction}", problems);
        return problems;
    }

    private JsonObject Resolve(JsonObject reference)
    {
        var shape = reference;
        while (shape["shape"] is JsonValue name)
        {
            shape = (JsonObject)_model["shapes"]![name.GetValue<string>()]!;
        }

        return shape;
    }

    private void CheckValue(JsonObject shape, JsonNode? value, string path, List<string> problems)
    {
        var type = shape["type"]?.GetValue<string>() ?? "string";
        if (value is null)
        {
            problems.Add($"{path} is null (send nothing instead)");
            return;
        }

        switch (type)
        {
            case "structure":
                if (value is not JsonObject obj)
                {
                    problems.Add($"{path} should be an object ({type})");
                    return;
                }

                var members = shape["members"]?.AsObject() ?? [];
                foreach (var (key, member) in obj)
                {
                    if (members[key] is not JsonObject memberShape)
                    {
                        problems.Add($"{path}.{key} is not a member of the shape (members: {string.Join(", ", members.Select(m => m.Key))})");
                        continue;
                    }

                    CheckValue(Resolve(memberShape), member, $"{path}.{key}", problems);
                }

                foreach (var required in shape["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
                {
                    if (obj[required] is null)
                    {
                        problems.Add($"{path}.{required} is required but missing");
                    }
                }

                break;
            case "list":
                if (value is not JsonArray array)
                {
                    problems.Add($"{path} should be an array");
                    return;
                }

                for (var i = 0; i < array.Count; i++)
                {
                    CheckValue(Resolve((JsonObject)shape["member"]!), array[i], $"{path}[{i}]", problems);
                }

                break;
            case "map":
                if (value is not JsonObject map)
                {
                    problems.Add($"{path} should be an object (map)");
                    return;
                }

                foreach (var (key, item) in map)
                {
                    CheckValue(Resolve((JsonObject)shape["value"]!), item, $"{path}[{key}]", problems);
                }

                break;
            case "string" or "blob":
                Expect(value, System.Text.Json.JsonValueKind.String, type, path, problems);
                break;
            case "integer" or "long":
                if (!Expect(value, System.Text.Json.JsonValueKind.Number, type, path, problems))
                {
                    break;
                }

                if (value.GetValue<double>() % 1 != 0)
                {
                    problems.Add($"{path} should be an integral number ({type})");
                }

                break;
            case "double" or "float":
                Expect(value, System.Text.Json.JsonValueKind.Number, type, path, problems);
                break;
            case "boolean":
                if (value.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))
                {
                    problems.Add($"{path} should be a boolean");
                }

                break;
            case "timestamp":
                Expect(value, System.Text.Json.JsonValueKind.Number, type + " (epoch seconds)", path, problems);
                break;
            default:
                problems.Add($"{path} has a shape type '{type}' this checker does not know");
                break;
        }
    }

    private static bool Expect(JsonNode value, System.Text.Json.JsonValueKind kind, string type, string path, List<string> problems)
    {
        if (value.GetValueKind() == kind)
        {
            return true;
        }

        problems.Add($"{path} should be a {kind.ToString().ToLowerInvariant()} ({type}), not {value.GetValueKind().ToString().ToLowerInvariant()}");
        return false;
    }
}
