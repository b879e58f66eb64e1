using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ingest.Deployment.Tests.Infrastructure;

/// <summary>
/// The Terraform configuration as HashiCorp's parser (@cdktf/hcl2json) sees it: one JSON document per .tf file,
/// grouped into modules (folders), with what each module declares and every reference its expressions make.
/// </summary>
internal sealed partial class TerraformModel
{
    private TerraformModel(IReadOnlyDictionary<string, JsonElement> files, IReadOnlyDictionary<string, string> errors)
    {
        Files = files;
        Errors = errors;
        Modules = files
            .GroupBy(f => ModuleOf(f.Key))
            .ToDictionary(g => g.Key, g => new TerraformModule(g.Key, [.. g.Select(f => f.Value)]), StringComparer.Ordinal);
    }

    /// <summary>Parsed files by path relative to terraform/ ('/'-separated).</summary>
    public IReadOnlyDictionary<string, JsonElement> Files { get; }

    /// <summary>Parse errors by file.</summary>
    public IReadOnlyDictionary<string, string> Errors { get; }

    /// <summary>Modules by folder relative to terraform/ ("" is the root module).</summary>
    public IReadOnlyDictionary<string, TerraformModule> Modules { get; }

    public TerraformModule Root => Modules[string.Empty];

    public static TerraformModel Load()
    {
        var result = NodeTools.Node("hcl2json.cjs", RepoPaths.Terraform);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("hcl2json.cjs failed: " + result);
        }

        using var document = JsonDocument.Parse(result.StdOut);
        var files = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in document.RootElement.EnumerateObject())
        {
            if (file.Value.TryGetProperty("$error", out var error))
            {
                errors[file.Name] = error.GetString()!;
            }
            else
            {
                files[file.Name] = file.Value.Clone();
            }
        }

        return new TerraformModel(files, errors);
    }

    public static string ModuleOf(string file)
    {
        var slash = file.LastIndexOf('/');
        return slash < 0 ? string.Empty : file[..slash];
    }

    /// <summary>Resolves a module call's <c>source</c> ("./x", "../y") against the calling module's folder.</summary>
    public static string ResolveSource(string module, string source)
    {
        var parts = module.Length == 0 ? new List<string>() : [.. module.Split('/')];
        foreach (var segment in source.Split('/'))
        {
            switch (segment)
            {
                case ".":
                case "":
                    break;
                case "..":
                    parts.RemoveAt(parts.Count - 1);
                    break;
                default:
                    parts.Add(segment);
                    break;
            }
        }

        return string.Join('/', parts);
    }

    /// <summary>Every string value under an element (expressions are strings like <c>${var.x}</c>).</summary>
    public static IEnumerable<string> Strings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return element.GetString()!;
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var s in Strings(item))
                    {
                        yield return s;
                    }
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    foreach (var s in Strings(property.Value))
                    {
                        yield return s;
                    }
                }

                break;
        }
    }

    /// <summary>The references an expression string makes.</summary>
    public static IEnumerable<Reference> References(string text)
    {
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            yield break;
        }

        foreach (Match m in VarRegex().Matches(text))
        {
            yield return new Reference("var", m.Groups[1].Value, null);
        }

        foreach (Match m in LocalRegex().Matches(text))
        {
            yield return new Reference("local", m.Groups[1].Value, null);
        }

        foreach (Match m in ModuleRegex().Matches(text))
        {
            yield return new Reference("module", m.Groups[1].Value, m.Groups[2].Success ? m.Groups[2].Value : null);
        }

        foreach (Match m in DataRegex().Matches(text))
        {
            yield return new Reference("data", m.Groups[1].Value + "." + m.Groups[2].Value, null);
        }

        foreach (Match m in ResourceRegex().Matches(text))
        {
            yield return new Reference("resource", m.Groups[1].Value + "." + m.Groups[2].Value, null);
        }
    }

    [GeneratedRegex(@"(?<![\w.])var\.([A-Za-z_][\w-]*)")]
    private static partial Regex VarRegex();

    [GeneratedRegex(@"(?<![\w.])local\.([A-Za-z_][\w-]*)")]
    private static partial Regex LocalRegex();

    [GeneratedRegex(@"(?<![\w.])module\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?")]
    private static partial Regex ModuleRegex();

    [GeneratedRegex(@"(?<![\w.])data\.([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)")]
    private static partial Regex DataRegex();

    [GeneratedRegex(@"(?<![\w.])((?:aws|archive)_[a-z0-9_]+)\.([A-Za-z_][\w-]*)")]
    private static partial Regex ResourceRegex();
}

/// <summary>A reference in an expression: kind (var, local, module, data, resource), name, and for modules the output.</summary>
internal sealed record Reference(string Kind, string Name, string? Attribute);

/// <summary>What one module (folder) declares.</summary>
internal sealed class TerraformModule
{
    public TerraformModule(string path, IReadOnlyList<JsonElement> files)
    {
        Path = path;
        Files = files;
        foreach (var file in files)
        {
            foreach (var block in Blocks(file, "variable"))
            {
                Variables[block.Name] = block.Body;
            }

            foreach (var block in Blocks(file, "output"))
            {
                Outputs[block.Name] = block.Body;
            }

            foreach (var block in Blocks(file, "module"))
            {
                ModuleCalls[block.Name] = block.Body;
            }

            if (file.TryGetProperty("locals", out var locals))
            {
                foreach (var group in locals.EnumerateArray())
                {
                    foreach (var local in group.EnumerateObject())
                    {
                        Locals[local.Name] = local.Value;
                    }
                }
            }

            foreach (var kind in new[] { "resource", "data" })
            {
                if (!file.TryGetProperty(kind, out var byType))
                {
                    continue;
                }

                foreach (var type in byType.EnumerateObject())
                {
                    foreach (var name in type.Value.EnumerateObject())
                    {
                        var target = kind == "resource" ? Resources : Data;
                        target[type.Name + "." + name.Name] = name.Value[0];
                    }
                }
            }
        }
    }

    public string Path { get; }

    public IReadOnlyList<JsonElement> Files { get; }

    public Dictionary<string, JsonElement> Variables { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, JsonElement> Outputs { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, JsonElement> ModuleCalls { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, JsonElement> Locals { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, JsonElement> Resources { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, JsonElement> Data { get; } = new(StringComparer.Ordinal);

    /// <summary>Every reference made anywhere in the module, with a description of where.</summary>
    public IEnumerable<Reference> AllReferences()
        => Files.SelectMany(TerraformModel.Strings).SelectMany(TerraformModel.References);

    private static IEnumerable<(string Name, JsonElement Body)> Blocks(JsonElement file, string kind)
    {
        if (!file.TryGetProperty(kind, out var blocks))
        {
            yield break;
        }

        foreach (var block in blocks.EnumerateObject())
        {
            yield return (block.Name, block.Value[0]);
        }
    }
}
