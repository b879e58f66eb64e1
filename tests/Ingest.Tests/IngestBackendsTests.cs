using Ingest.Testing;

namespace Ingest.Tests;

public sealed class IngestBackendsTests
{
    [Fact]
    public async Task QueryAsync_WithoutAQueryEngine_SaysWhichBackendsHaveOne()
    {
        var backends = InMemoryIngest.CreateBackends();

        var act = () => backends.QueryAsync("SELECT 1");

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("These backends have no query engine: LocalIngest.CreateBackends (DuckDB) and AwsAnalytics.WithGlueAndAthena (Athena) set IngestBackends.Query*");
    }
}
