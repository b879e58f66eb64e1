using System.Text.Json.Nodes;
using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Commands;

/// <summary><c>--format json</c> and <c>csv</c> of run, runs and datasets list|show|diff: the documented shapes, the same exit codes.</summary>
public sealed class MachineOutputTests : OrdersRegisteredTests
{
    [Fact]
    public async Task RunAndRuns_Json_GiveTheDocumentedShape()
    {
        var path = Path.Combine(Cli.Root, "orders.csv");
        var data = OrdersCsv.Write(path, 500, withBadRows: true);

        var run = await Cli.RunAsync("run", "sales.orders", path, "--format", "json");
        var again = await Cli.RunAsync("run", "sales.orders", path, "--format", "json");
        var runs = await Cli.RunAsync("runs", "sales.orders", "--format", "json");
        var csv = await Cli.RunAsync("runs", "sales.orders", "--format", "csv");

        run.ExitCode.Should().Be(0, run.ToString());
        var result = JsonNode.Parse(run.Output)!.AsObject();
        result.Select(p => p.Key).Should().Equal(
            "runId", "dataset", "definitionVersion", "engine", "status", "rowsRead", "rowsWritten", "rowsRejected", "inputs", "filesWritten",
            "bytesWritten", "partitions", "retries", "topRejectReasons", "rejectedRows", "elapsedSeconds", "tableFormat");
        result["status"]!.GetValue<string>().Should().Be("succeeded");
        result["rowsRejected"]!.GetValue<long>().Should().Be(data.BadRows);
        result["rowsWritten"]!.GetValue<long>().Should().Be(data.Good.Count);
        result["topRejectReasons"]!.AsArray().Sum(r => r!["count"]!.GetValue<long>()).Should().Be(data.BadRows);
        result["inputs"]![0]!["name"]!.GetValue<string>().Should().Be("orders.csv");
        JsonNode.Parse(again.Output)!["status"]!.GetValue<string>().Should().Be("skipped", "a re-run of the same bytes is a no-op");

        var lines = runs.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        lines.Select(l => l["status"]!.GetValue<string>()).Should().Equal("skipped", "succeeded");
        lines[1]["runId"]!.GetValue<string>().Should().Be(result["runId"]!.GetValue<string>());
        lines[1]["rowsRead"]!.GetValue<long>().Should().Be(500);
        var rows = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        rows[0].Should().Be("run_id,status,state,started_at,ended_at,definition_version,rows_read,rows_written,rows_rejected,inputs,files_written,bytes_written,partitions_written,retries,error");
        rows.Should().HaveCount(3);
        rows[2].Split(',')[6].Should().Be("500");
    }

    [Fact]
    public async Task Run_JsonOfAFailedRun_KeepsTheExitCodeAndTheOneLineError()
    {
        var path = Cli.WriteFile("broken.csv", "order_id,order_date\n1,2024-05-01\n");

        var result = await Cli.RunAsync("run", "sales.orders", path, "--format", "json");

        result.ExitCode.Should().Be(1, result.ToString());
        result.Output.Should().BeEmpty();
        result.Errors.Should().StartWith("error: broken.csv: the definition's columns");
    }

    [Fact]
    public async Task DatasetsListShowDiff_JsonAndCsv_GiveTheDocumentedShapes()
    {
        (await Cli.RunAsync("datasets", "add", Cli.WriteFile("v2.json", TestDefinitions.OrdersV2))).ExitCode.Should().Be(0);

        var list = await Cli.RunAsync("datasets", "list", "--format", "json");
        var listCsv = await Cli.RunAsync("datasets", "list", "--format", "csv");
        var show = await Cli.RunAsync("datasets", "show", "sales.orders", "--version", "1", "--format", "json");
        var diff = await Cli.RunAsync("datasets", "diff", "sales.orders", "--from", "1", "--to", "2", "--format", "json");

        var item = JsonNode.Parse(list.Output.Trim())!;
        item["id"]!.GetValue<string>().Should().Be("sales.orders");
        item["version"]!.GetValue<int>().Should().Be(2);
        item["columns"]!.GetValue<int>().Should().Be(6);
        item["partitioning"]![0]!["transform"]!.GetValue<string>().Should().Be("month");
        listCsv.Output.Split('\n')[0].Should().Be("id,version,source_format,columns,partitioning,write_mode,table_format,engine,registered_at");
        listCsv.Output.Split('\n')[1].Should().StartWith("sales.orders,2,csv,6,");

        var shown = JsonNode.Parse(show.Output)!;
        shown["version"]!.GetValue<int>().Should().Be(1);
        shown["fingerprint"]!.GetValue<string>().Should().NotBeEmpty();
        shown["definition"]!["columns"]!.AsArray().Should().HaveCount(5);

        diff.ExitCode.Should().Be(0, diff.ToString());
        var d = JsonNode.Parse(diff.Output)!;
        d["compatible"]!.GetValue<bool>().Should().BeTrue();
        d["columns"]!.AsArray().Select(c => $"{c!["change"]} {c["column"]}").Should().Equal("type quantity", "added channel");
        d["columns"]![0]!["from"]!.GetValue<string>().Should().Be("int32");
    }
}
