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

    /// <summary>
    /// Returns every problem of a query-protocol request (STS, for example) as sent on the wire: the form content type, the
    /// SigV4 scope, <c>Action</c> an operation of the model, <c>Version</c> the model's API version, every parameter a member
    /// of the operation's input shape (numbers where the shape says so) and the required members present.
    /// </summary>
    public List<string> CheckQueryRequest(RecordedRequest request)
    {
        var problems = new List<string>();
        if (_model["metadata"]!["protocol"]?.GetValue<string>() != "query")
        {
            problems.Add($"{Name} is not a query-protocol model");
            return problems;
        }

        if (!request.Headers.GetValueOrDefault("Content-Type", string.Empty).StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal))
        {
            problems.Add($"Content-Type '{request.Headers.GetValueOrDefault("Content-Type")}' is not application/x-www-form-urlencoded");
        }

        if (!request.Headers.GetValueOrDefault("Authorization", string.Empty).Contains($"/{SigningName}/aws4_request", StringComparison.Ordinal))
        {
            problems.Add($"the SigV4 scope does not name the service '{SigningName}'");
        }

        var form = request.Form;
        var apiVersion = _model["metadata"]!["apiVersion"]!.GetValue<string>();
        if (form.GetValueOrDefault("Version") != apiVersion)
        {
            problems.Add($"Version '{form.GetValueOrDefault("Version")}' is not the model's API version {apiVersion}");
        }

        var action = form.GetValueOrDefault("Action", string.Empty);
        if (_model["operations"]![action] is not JsonObject op)
        {
            problems.Add($"{Name} has no operation '{action}'");
            return problems;
        }

        var shape = Resolve((JsonObject)op["input"]!);
        var members = shape["members"]!.AsObject();
        foreach (var (key, value) in form)
        {
            if (key is "Action" or "Version")
            {
                continue;
            }

            var name = key.Split('.')[0];
            if (members[name] is not JsonObject member)
            {
                problems.Add($"{action}.{key} is not a member of the input shape (members: {string.Join(", ", members.Select(m => m.Key))})");
            }
            else if (Resolve(member)["type"]?.GetValue<string>() is "integer" or "long" && !long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                problems.Add($"{action}.{key} = '{value}' should be an integer");
            }
        }

        foreach (var required in shape["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            if (!form.Keys.Any(k => k == required || k.StartsWith(required + ".", StringComparison.Ordinal)))
            {
                problems.Add($"{action}.{required} is required but missing");
            }
        }

        return problems;
    }

    /// <summary>
    /// Returns every problem of a query-protocol answer: the root <c>{Operation}Response</c> in the model's XML namespace, the
    /// result wrapper, and every element a member of the output shape (recursively; numbers and timestamps parse).
    /// </summary>
    public List<string> CheckQueryOutput(string operation, string xml)
    {
        var problems = new List<string>();
        var ns = System.Xml.Linq.XNamespace.Get(_model["metadata"]!["xmlNamespace"]!.GetValue<string>());
        var root = System.Xml.Linq.XDocument.Parse(xml).Root!;
        if (root.Name != ns + (operation + "Response"))
        {
            problems.Add($"the root element is {root.Name}, not {{{ns}}}{operation}Response");
        }

        var output = Resolve((JsonObject)_model["operations"]![operation]!["output"]!);
        var wrapper = output["resultWrapper"]!.GetValue<string>();
        if (root.Element(ns + wrapper) is not { } result)
        {
            problems.Add($"the answer has no {wrapper} element");
            return problems;
        }

        CheckXml(output, result, ns, $"{operation}.output", problems);
        return problems;
    }

    private void CheckXml(JsonObject shape, System.Xml.Linq.XElement element, System.Xml.Linq.XNamespace ns, string path, List<string> problems)
    {
        switch (shape["type"]?.GetValue<string>() ?? "string")
        {
            case "structure":
                var members = shape["members"]?.AsObject() ?? [];
                foreach (var child in element.Elements())
                {
                    if (child.Name.Namespace != ns || members[child.Name.LocalName] is not JsonObject member)
                    {
                        problems.Add($"{path}.{child.Name.LocalName} is not a member of the shape (members: {string.Join(", ", members.Select(m => m.Key))})");
                        continue;
                    }

                    CheckXml(Resolve(member), child, ns, $"{path}.{child.Name.LocalName}", problems);
                }

                foreach (var required in shape["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
                {
                    if (element.Element(ns + required) is null)
                    {
                        problems.Add($"{path}.{required} is required but missing");
                    }
                }

                break;
            case "integer" or "long":
                if (!long.TryParse(element.Value, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    problems.Add($"{path} = '{element.Value}' should be an integer");
                }

                break;
            case "timestamp":
                if (!DateTimeOffset.TryParse(element.Value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out _))
                {
                    problems.Add($"{path} = '{element.Value}' should be an ISO 8601 timestamp");
                }

                break;
            default:
                if (element.HasElements)
                {
                    problems.Add($"{path} should be a text value");
                }

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
