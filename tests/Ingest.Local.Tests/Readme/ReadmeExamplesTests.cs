using Ingest.Definitions;
using Ingest.Diagnostics;
using Ingest.Engine;
using Ingest.Local;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ingest.Local.Tests.Readme;

/// <summary>
/// The code of README.md, verbatim between the markers, compiled and run against the embedded default.
/// If you change one, change the other.
/// </summary>
public sealed class ReadmeExamplesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ingest-readme-").FullName;
    private readonly string _previous = Environment.CurrentDirectory;

    public ReadmeExamplesTests()
    {
        Environment.CurrentDirectory = _folder;
        File.WriteAllText("orders.json", """
            {
              "id": "sales.orders",
              "source": { "format": "csv" },
              "columns": [
                { "name": "order_id", "type": "int64", "nullable": false },
                { "name": "country", "type": "string" },
                { "name": "amount", "type": "decimal(18,2)" },
                { "name": "ordered_at", "type": "timestamp" }
              ],
              "keys": ["order_id"],
              "partitioning": [{ "column": "ordered_at", "transform": "day", "name": "order_date" }],
              "quality": { "rules": [{ "type": "range", "column": "amount", "min": 0 }] }
            }
            """);
        File.WriteAllText("orders.csv", "order_id,country,amount,ordered_at\n1,de,10.00,2024-01-01T09:00:00Z\n2,fr,5.50,2024-01-02T10:00:00Z\n3,de,2.25,2023-12-31T23:00:00Z\n");
    }

    public void Dispose()
    {
        Environment.CurrentDirectory = _previous;
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task QuickStartExample_RunsAsWritten()
    {
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            // README:quick-start
            var backends = LocalIngest.CreateBackends(new LocalIngestOptions { Root = ".ingest" });

            // 1. Register the definition: version 1, or the next compatible version.
            var definition = await DatasetDefinitionSerializer.ReadFileAsync("orders.json");
            await backends.Registry.RegisterAsync(definition);

            // 2. Build the pipeline once; each RunAsync is one run (lease, raw copy, validate, write, commit).
            var pipeline = new IngestPipelineBuilder(backends)
                .ForDataset("sales.orders")
                .AddTransform(row => row["country"] = row.Get<string>("country")?.ToUpperInvariant())
                .Build();
            var result = await pipeline.RunAsync([IngestInput.FromFile("orders.csv")]);
            Console.WriteLine($"{result.Run.RowsWritten} written, {result.Run.RowsRejected} quarantined");

            // 3. Query with parameters (DuckDB locally, Athena on AWS); values never go into the SQL text.
            await using var query = await backends.QueryAsync(
                "SELECT country, sum(amount) AS total FROM sales.orders WHERE ordered_at >= ? GROUP BY country ORDER BY country",
                [new DateOnly(2024, 1, 1)]);
            await foreach (var row in query.ReadRowsAsync())
            {
                Console.WriteLine($"{row[0]}: {row[1]}");
            }

            // README:end
        }
        finally
        {
            Console.SetOut(console);
        }

        output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Should().Equal("3 written, 0 quarantined", "DE: 10", "FR: 5.5");
    }

    [Fact]
    public void EveryMarkedExample_IsInTheReadmeVerbatim()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Ingest.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("The repository root (Ingest.sln) is not above the test's folder.");
        }

        var readme = File.ReadAllText(Path.Combine(root.FullName, "README.md")).ReplaceLineEndings("\n");
        var lines = File.ReadAllLines(Path.Combine(root.FullName, "tests", "Ingest.Local.Tests", "Readme", "ReadmeExamplesTests.cs"));
        var blocks = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].TrimStart().StartsWith("// README:", StringComparison.Ordinal) || lines[i].Trim() == "// README:end")
            {
                continue;
            }

            var name = lines[i].Trim()["// README:".Length..];
            var indent = lines[i].Length - lines[i].TrimStart().Length;
            var end = Array.FindIndex(lines, i + 1, l => l.Trim() == "// README:end");
            end.Should().BePositive($"README:{name} needs its README:end");
            var block = string.Join("\n", lines[(i + 1)..end].Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())).Trim('\n');
            readme.Should().Contain("```csharp\n" + block + "\n```", $"the README shows README:{name} exactly as this test runs it");
            blocks++;
            i = end;
        }

        blocks.Should().Be(3);
    }

    [Fact]
    public async Task DependencyInjectionExample_ResolvesAPipeline()
    {
        // README:di
        var services = new ServiceCollection()
            .AddIngest(options => options.LeaseDuration = TimeSpan.FromMinutes(5))
            .AddIngestLocal(options => options.Root = ".ingest");
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var factory = provider.GetRequiredService<IIngestPipelineFactory>();
        var pipeline = factory.CreateBuilder(DatasetId.Parse("sales.orders")).Build();
        // README:end

        pipeline.Dataset.Should().Be(DatasetId.Parse("sales.orders"));
        provider.GetRequiredService<IngestBackends>().Query.Should().NotBeNull();
    }

    [Fact]
    public async Task ObservabilityExample_ExportsTheRunsSpansAndMetricsToTheConsole()
    {
        var registry = LocalIngest.CreateBackends(new LocalIngestOptions { Root = ".ingest" }).Registry;
        await registry.RegisterAsync(await DatasetDefinitionSerializer.ReadFileAsync("orders.json"));
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        string runId;
        try
        {
            // README:observability
            var builder = Host.CreateApplicationBuilder();
            builder.Services
                .AddIngest()
                .AddIngestLocal(options => options.Root = ".ingest");
            builder.Services.AddOpenTelemetry()
                .WithTracing(tracing => tracing.AddSource(IngestTelemetry.ActivitySourceName).AddConsoleExporter())
                .WithMetrics(metrics => metrics.AddMeter(IngestTelemetry.MeterName).AddConsoleExporter());
            using var host = builder.Build();
            await host.StartAsync();

            var pipeline = host.Services.GetRequiredService<IIngestPipelineFactory>().CreateBuilder(DatasetId.Parse("sales.orders")).Build();
            var result = await pipeline.RunAsync([IngestInput.FromFile("orders.csv")]);

            // Stopping the host flushes the exporters: the metrics are printed after the spans.
            await host.StopAsync();
            // README:end
            runId = result.Run.RunId;
        }
        finally
        {
            Console.SetOut(console);
        }

        var text = output.ToString();
        text.Should().Contain($"Activity.DisplayName:        {IngestTelemetry.RunActivityName}")
            .And.Contain("Activity.DisplayName:        ingest.commit")
            .And.Contain($"{IngestTelemetry.RunIdTag}: {runId}")
            .And.Contain($"Metric Name: {IngestTelemetry.RowsWrittenMetric}")
            .And.Contain($"Metric Name: {IngestTelemetry.RunDurationMetric}");
    }
}
