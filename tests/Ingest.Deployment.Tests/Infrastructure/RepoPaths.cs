namespace Ingest.Deployment.Tests.Infrastructure;

/// <summary>Folders of the repository, found from the test assembly upwards (the folder holding Ingest.sln).</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string Terraform => Path.Combine(Root, "terraform");

    public static string SeedTemplate => Path.Combine(Root, "cfn", "seed.yaml");

    public static string StateMachineTemplate => Path.Combine(Terraform, "step_functions", "ingest.asl.json");

    public static string DeploymentTools => Path.Combine(Root, "tests", "deployment");

    public static string Examples => Path.Combine(Root, "docs", "examples");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ingest.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ingest.sln not found above " + AppContext.BaseDirectory);
    }
}
