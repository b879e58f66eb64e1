using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ingest.Aws.StepFunctions;
using Ingest.Deployment.Tests.Infrastructure;

namespace Ingest.Deployment.Tests;

/// <summary>
/// The deployed state machine is the SDK's: terraform/step_functions/ingest.asl.json is what <c>ingest deploy asl</c>
/// (IngestStateMachine.Generate with the Terraform placeholders) writes, byte for byte, and its IAM role allows exactly the
/// service calls the definition makes.
/// </summary>
public sealed partial class StateMachineGenerationTests
{
    private const string Regenerate = "terraform/step_functions/ingest.asl.json differs from the state machine the SDK generates: regenerate it from the repository root with 'dotnet run --project src/Ingest.Cli -- deploy asl' and commit it (never edit it by hand)";

    [Fact]
    public void The_committed_definition_is_the_generated_one()
    {
        var committed = File.ReadAllText(RepoPaths.StateMachineTemplate);

        committed.Should().Be(IngestStateMachine.Generate(new IngestStateMachineOptions()), Regenerate);
    }

    [Fact]
    public void The_state_machine_loads_the_run_settings_and_never_the_definition()
    {
        // States.DataLimitExceeded (a state's payload over 256 KB) is not caught by States.ALL; a definition can be larger.
        var text = IngestStateMachine.Generate(new IngestStateMachineOptions { MaxConcurrency = 4 });
        var load = JsonNode.Parse(text)!["States"]!["IngestDatasets"]!["ItemProcessor"]!["States"]!["LoadSettings"]!["Parameters"]!;

        load["ProjectionExpression"]!.GetValue<string>().Should().Be("#version, #runSettings");
        load["ExpressionAttributeNames"]!.AsObject().Select(n => n.Value!.GetValue<string>()).Should().BeEquivalentTo(["version", "runSettings"]);
        PathsIn(JsonNode.Parse(text)!).Should().NotContain(p => p.Contains(".definition", StringComparison.Ordinal), "no state reads the definition");
    }

    private static IEnumerable<string> PathsIn(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var s) && (key.EndsWith(".$", StringComparison.Ordinal) || key is "Variable" or "InputPath" or "ItemsPath" or "OutputPath"))
                    {
                        yield return s;
                    }
                    else if (value is not null)
                    {
                        foreach (var p in PathsIn(value))
                        {
                            yield return p;
                        }
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array.Where(i => i is not null))
                {
                    foreach (var p in PathsIn(item!))
                    {
                        yield return p;
                    }
                }

                break;
        }
    }

    [Fact]
    public void The_state_machine_role_allows_exactly_the_calls_the_definition_makes()
    {
        var rendered = StateMachineDefinition.RenderToFile();
        List<string> resources;
        try
        {
            resources = [.. TaskResources(JsonNode.Parse(File.ReadAllText(rendered))!["States"]!.AsObject())];
        }
        finally
        {
            File.Delete(rendered);
        }

        // Each Step Functions integration and the IAM actions it needs (the .sync pattern polls and stops the job run).
        var needed = resources.SelectMany(r => r switch
        {
            "arn:aws:states:::glue:startJobRun.sync" => ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"],
            "arn:aws:states:::sns:publish" => new[] { "sns:Publish" },
            _ when r.StartsWith("arn:aws:states:::dynamodb:", StringComparison.Ordinal) => ["dynamodb:" + Pascal(r["arn:aws:states:::dynamodb:".Length..])],
            _ when r.StartsWith("arn:aws:states:::aws-sdk:", StringComparison.Ordinal) => [Service(r) + ":" + Pascal(r[(r.LastIndexOf(':') + 1)..])],
            _ => throw new InvalidOperationException($"No IAM mapping for the task resource {r}: add it to this test and to the role."),
        }).ToHashSet(StringComparer.Ordinal);

        NodeTools.EnsureAvailable("@cdktf/hcl2json");
        var policy = TerraformModel.Load().Modules["step_functions"].Data["aws_iam_policy_document.state_machine"];
        var granted = policy.GetProperty("statement").EnumerateArray()
            .SelectMany(s => TerraformModel.Strings(s.GetProperty("actions")))
            .Where(a => !a.StartsWith("logs:", StringComparison.Ordinal) && !a.StartsWith("kms:", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

        granted.Should().BeEquivalentTo(needed, "the role grants what the ASL calls, nothing more (log delivery and the KMS key aside)");
    }

    private static IEnumerable<string> TaskResources(JsonObject states)
    {
        foreach (var (_, node) in states)
        {
            var state = node!.AsObject();
            if (state["Type"]!.GetValue<string>() == "Task")
            {
                yield return state["Resource"]!.GetValue<string>();
            }

            if (state["ItemProcessor"]?["States"] is JsonObject inner)
            {
                foreach (var resource in TaskResources(inner))
                {
                    yield return resource;
                }
            }
        }
    }

    private static string Service(string resource) => SdkService().Match(resource).Groups[1].Value;

    private static string Pascal(string action) => char.ToUpperInvariant(action[0]) + action[1..];

    [GeneratedRegex("^arn:aws:states:::aws-sdk:([a-z0-9]+):")]
    private static partial Regex SdkService();
}
