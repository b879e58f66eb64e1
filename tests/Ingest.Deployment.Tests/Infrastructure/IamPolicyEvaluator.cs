using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Ingest.Deployment.Tests.Infrastructure;

/// <summary>One API call as IAM authorises it: the action, the resource ARN, and the request's condition keys.</summary>
internal sealed record IamCall(string Action, string Resource, IReadOnlyDictionary<string, string>? Context = null)
{
    public override string ToString()
        => Context is { Count: > 0 }
            ? $"{Action} on {Resource} ({string.Join(", ", Context.Select(c => $"{c.Key}={c.Value}"))})"
            : $"{Action} on {Resource}";
}

/// <summary>An IAM policy statement with its intrinsic functions resolved.</summary>
internal sealed record IamStatement(string Policy, string? Sid, bool Allow, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, IReadOnlyList<IamCondition> Conditions)
{
    public string Label => $"{Policy} statement {Sid ?? "(no Sid)"}";
}

/// <summary>One condition: operator (StringEquals, ArnLike, …, with IfExists), key and the values any of which matches.</summary>
internal sealed record IamCondition(string Operator, string Key, IReadOnlyList<string> Values);

/// <summary>
/// The policies of one role of a CloudFormation template (inline policies and the template's managed policies that
/// name the role in <c>Roles</c>), with <c>!Sub</c>, <c>!Ref</c>, <c>!GetAtt</c>, <c>!Join</c> and <c>!Split</c>
/// resolved against sample parameter values, and evaluated the way IAM evaluates identity policies: an explicit Deny
/// wins, otherwise an Allow statement must match the action, the resource and every condition. Only the operators the
/// seed template uses are supported (String/Arn Equals/Like, StringNotEquals, Null, Bool, with IfExists); anything else throws, so a new
/// operator cannot pass unchecked.
/// </summary>
internal sealed class IamPolicyEvaluator
{
    public const string Partition = "aws";
    public const string Region = "eu-west-1";
    public const string AccountId = "123456789012";
    public const string VpcId = "vpc-0a1b2c3d4e5f60718";
    public static readonly string[] SubnetIds = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"];

    private readonly YamlMappingNode _template;

    private IamPolicyEvaluator(YamlMappingNode template, string roleLogicalId)
    {
        _template = template;
        RoleLogicalId = roleLogicalId;
        Statements = [.. LoadStatements()];
    }

    public string RoleLogicalId { get; }

    public IReadOnlyList<IamStatement> Statements { get; }

    public static IamPolicyEvaluator Load(string templatePath, string roleLogicalId = "CodeBuildRole")
    {
        using var reader = new StreamReader(templatePath);
        var stream = new YamlStream();
        stream.Load(reader);
        return new IamPolicyEvaluator((YamlMappingNode)stream.Documents.Single().RootNode, roleLogicalId);
    }

    public YamlMappingNode Resources => (YamlMappingNode)_template["Resources"];

    /// <summary>A parameter's value: its Default (or a sample for the parameters without one).</summary>
    public string Parameter(string name) => Resolve(name).Single();

    /// <summary>A list parameter's values (its Default split at commas); empty when the template has no such parameter.</summary>
    public IReadOnlyList<string> ParameterList(string name)
        => Child(_template, "Parameters") is YamlMappingNode parameters && Child(parameters, name) is not null ? Resolve(name) : [];

    /// <summary>Every action a managed policy of the template names, attached to the role or not.</summary>
    public IReadOnlyList<string> ManagedPolicyActions(string logicalId)
    {
        var document = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)Resources[logicalId])["Properties"])["PolicyDocument"];
        return [.. ((YamlSequenceNode)document["Statement"]).Children.Cast<YamlMappingNode>().SelectMany(s => Render(s["Action"]))];
    }

    /// <summary>The template value of a node with its intrinsic functions resolved (lists flatten).</summary>
    public IReadOnlyList<string> Render(YamlNode node) => [.. RenderNode(node)];

    /// <summary>The value of an environment variable of a CodeBuild project of the template, resolved; null when absent.</summary>
    public string? BuildVariable(string name)
    {
        foreach (var resource in Resources.Children.Values.Cast<YamlMappingNode>().Where(r => Scalar(r, "Type") == "AWS::CodeBuild::Project"))
        {
            if (Child(Child(resource, "Properties"), "Environment") is YamlMappingNode environment
                && Child(environment, "EnvironmentVariables") is YamlSequenceNode variables)
            {
                var variable = variables.Children.Cast<YamlMappingNode>().FirstOrDefault(v => Scalar(v, "Name") == name);
                if (variable is not null)
                {
                    return string.Concat(Render(variable["Value"]));
                }
            }
        }

        return null;
    }

    public bool IsAllowed(IamCall call)
    {
        var matching = Statements.Where(s => Matches(s, call)).ToList();
        return matching.Any(s => s.Allow) && !matching.Any(s => !s.Allow);
    }

    /// <summary>Allow statements whose actions include <c>*</c> or a whole service (<c>svc:*</c>).</summary>
    public IEnumerable<string> ServiceWideGrants()
        => Statements.Where(s => s.Allow)
            .SelectMany(s => s.Actions.Where(a => a == "*" || a.EndsWith(":*", StringComparison.Ordinal)).Select(a => $"{s.Label}: allows {a}"));

    /// <summary>The template's managed policies and the role's inline policies, as IAM measures their size (JSON without whitespace).</summary>
    public IEnumerable<(string Name, bool Managed, int Characters)> PolicySizes()
    {
        foreach (var (name, document, managed) in PolicyDocuments(includeUnattached: true))
        {
            yield return (name, managed, ToJson(document).Count(c => !char.IsWhiteSpace(c)));
        }
    }

    private static bool Matches(IamStatement statement, IamCall call)
        => statement.Actions.Any(a => IamPattern.Matches(a, call.Action))
           && statement.Resources.Any(r => ArnMatches(r, call.Resource))
           && statement.Conditions.All(c => Holds(c, call.Context ?? new Dictionary<string, string>()));

    private static bool ArnMatches(string pattern, string arn)
    {
        var regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(arn, regex, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    private static bool Holds(IamCondition condition, IReadOnlyDictionary<string, string> context)
    {
        var ifExists = condition.Operator.EndsWith("IfExists", StringComparison.Ordinal);
        var op = ifExists ? condition.Operator[..^"IfExists".Length] : condition.Operator;
        var value = context.FirstOrDefault(c => string.Equals(c.Key, condition.Key, StringComparison.OrdinalIgnoreCase)).Value;
        if (op == "Null")
        {
            // "true": the key is absent from the request; "false": it is present.
            return condition.Values.Any(v => string.Equals(v, value is null ? "true" : "false", StringComparison.OrdinalIgnoreCase));
        }

        if (value is null)
        {
            // IAM: a negated operator holds when the key is absent (unless IfExists says otherwise, which is the same here).
            return ifExists || op.StartsWith("StringNot", StringComparison.Ordinal) || op.StartsWith("ArnNot", StringComparison.Ordinal);
        }

        return op switch
        {
            "StringNotEquals" => !condition.Values.Contains(value, StringComparer.Ordinal),
            "StringEquals" => condition.Values.Contains(value, StringComparer.Ordinal),
            "StringLike" or "ArnLike" or "ArnEquals" => condition.Values.Any(v => ArnMatches(v, value)),
            "Bool" => condition.Values.Any(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase)),
            _ => throw new NotSupportedException($"Condition operator {condition.Operator} is not evaluated by this check: add it to IamPolicyEvaluator."),
        };
    }

    private IEnumerable<IamStatement> LoadStatements()
    {
        foreach (var (name, document, _) in PolicyDocuments(includeUnattached: false))
        {
            var statements = document["Statement"] is YamlSequenceNode seq ? seq.Children.Cast<YamlMappingNode>() : [(YamlMappingNode)document["Statement"]];
            foreach (var statement in statements)
            {
                if (Child(statement, "NotAction") is not null || Child(statement, "NotResource") is not null)
                {
                    throw new NotSupportedException($"{name}: NotAction / NotResource are not evaluated by this check.");
                }

                var conditions = new List<IamCondition>();
                if (Child(statement, "Condition") is YamlMappingNode condition)
                {
                    foreach (var (op, keys) in condition.Children)
                    {
                        foreach (var (key, values) in ((YamlMappingNode)keys).Children)
                        {
                            conditions.Add(new IamCondition(((YamlScalarNode)op).Value!, ((YamlScalarNode)key).Value!, Render(values)));
                        }
                    }
                }

                yield return new IamStatement(
                    name,
                    Scalar(statement, "Sid"),
                    Scalar(statement, "Effect") == "Allow",
                    Render(statement["Action"]),
                    Render(statement["Resource"]),
                    conditions);
            }
        }
    }

    private IEnumerable<(string Name, YamlMappingNode Document, bool Managed)> PolicyDocuments(bool includeUnattached)
    {
        var role = (YamlMappingNode)Resources[RoleLogicalId];
        if (Child(Child(role, "Properties"), "Policies") is YamlSequenceNode inline)
        {
            foreach (var policy in inline.Children.Cast<YamlMappingNode>())
            {
                yield return ($"{RoleLogicalId} policy {Scalar(policy, "PolicyName")}", (YamlMappingNode)policy["PolicyDocument"], false);
            }
        }

        foreach (var (key, value) in Resources.Children)
        {
            var resource = (YamlMappingNode)value;
            if (Scalar(resource, "Type") != "AWS::IAM::ManagedPolicy")
            {
                continue;
            }

            var properties = (YamlMappingNode)resource["Properties"];
            var attached = Child(properties, "Roles") is YamlSequenceNode roles
                           && roles.Children.OfType<YamlScalarNode>().Any(r => r.Tag.Value == "!Ref" && r.Value == RoleLogicalId);
            if (attached || includeUnattached)
            {
                yield return (((YamlScalarNode)key).Value!, (YamlMappingNode)properties["PolicyDocument"], true);
            }
        }
    }

    private string ToJson(YamlNode node)
    {
        JsonNode? Convert(YamlNode n) => n switch
        {
            YamlMappingNode map when map.Tag.IsEmpty => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, Convert(c.Value)))),
            YamlSequenceNode seq when seq.Tag.IsEmpty => new JsonArray([.. seq.Children.Select(Convert)]),
            YamlScalarNode s when s.Tag.IsEmpty => JsonValue.Create(s.Value),
            _ => Render(n) is { Count: 1 } one ? JsonValue.Create(one[0]) : new JsonArray([.. Render(n).Select(v => (JsonNode?)JsonValue.Create(v))]),
        };

        return Convert(node)!.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    private IEnumerable<string> RenderNode(YamlNode node)
    {
        var tag = node.Tag.IsEmpty ? null : node.Tag.Value;
        switch (node)
        {
            case YamlScalarNode scalar when tag is null:
                return [scalar.Value ?? string.Empty];
            case YamlScalarNode scalar when tag == "!Sub":
                return [Substitute(scalar.Value!, new Dictionary<string, string>(StringComparer.Ordinal))];
            case YamlScalarNode scalar when tag == "!Ref":
                return Resolve(scalar.Value!);
            case YamlScalarNode scalar when tag == "!GetAtt":
                return ["{" + scalar.Value + "}"];
            case YamlSequenceNode seq when tag == "!Sub":
                var variables = ((YamlMappingNode)seq.Children[1]).Children
                    .ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => string.Concat(RenderNode(c.Value)), StringComparer.Ordinal);
                return [Substitute(((YamlScalarNode)seq.Children[0]).Value!, variables)];
            case YamlSequenceNode seq when tag == "!Join":
                return [string.Join(((YamlScalarNode)seq.Children[0]).Value, RenderNode(seq.Children[1]))];
            case YamlSequenceNode seq when tag == "!Split":
                return string.Concat(RenderNode(seq.Children[1])).Split(((YamlScalarNode)seq.Children[0]).Value);
            case YamlSequenceNode seq when tag is null:
                return seq.Children.SelectMany(RenderNode).ToList();
            default:
                throw new NotSupportedException($"Cannot resolve {tag ?? node.NodeType.ToString()} at line {node.Start.Line} in an IAM policy.");
        }
    }

    private string Substitute(string text, IReadOnlyDictionary<string, string> variables)
        => System.Text.RegularExpressions.Regex.Replace(text, @"\$\{(!?)([^}]+)\}", m =>
        {
            if (m.Groups[1].Value == "!")
            {
                return "${" + m.Groups[2].Value + "}";
            }

            var name = m.Groups[2].Value;
            if (variables.TryGetValue(name, out var value))
            {
                return value;
            }

            return name.Contains('.', StringComparison.Ordinal) && !name.StartsWith("AWS::", StringComparison.Ordinal)
                ? "{" + name + "}"
                : string.Join(',', Resolve(name));
        });

    private IReadOnlyList<string> Resolve(string name)
    {
        switch (name)
        {
            case "AWS::Partition":
                return [Partition];
            case "AWS::Region":
                return [Region];
            case "AWS::AccountId":
                return [AccountId];
            case "AWS::NoValue":
                return [];
        }

        if (Child(_template, "Parameters") is YamlMappingNode parameters && Child(parameters, name) is YamlMappingNode parameter)
        {
            var type = Scalar(parameter, "Type");
            if (Child(parameter, "Default") is YamlScalarNode defaultValue)
            {
                return type is "CommaDelimitedList" or "List<Number>" ? defaultValue.Value!.Split(',') : [defaultValue.Value!];
            }

            return type switch
            {
                "AWS::EC2::VPC::Id" => [VpcId],
                "List<AWS::EC2::Subnet::Id>" => SubnetIds,
                _ => ["{" + name + "}"],
            };
        }

        // A resource of the template: its Ref, as a token the same Ref elsewhere resolves to.
        return ["{Ref:" + name + "}"];
    }

    private static YamlNode? Child(YamlNode? node, string key)
        => node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;
}
