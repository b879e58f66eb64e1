using Ingest.Deployment.Tests.Infrastructure;

namespace Ingest.Deployment.Tests;

/// <summary>docs/architecture.svg and .png are what tests/deployment/architecture.cjs draws (the PNG carries the SVG's hash).</summary>
public sealed class ArchitectureDiagramTests
{
    [Fact]
    public void The_committed_picture_is_the_one_the_layout_draws()
    {
        NodeTools.EnsureAvailable("aws-icons");
        var result = NodeTools.Node("architecture.cjs", "--check");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StdOut.Should().Contain("are up to date");
    }
}
