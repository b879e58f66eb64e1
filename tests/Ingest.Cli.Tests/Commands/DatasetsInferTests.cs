using System.Text.Json.Nodes;
using Ingest.Cli.Tests.Infrastructure;

namespace Ingest.Cli.Tests.Commands;

/// <summary><c>ingest datasets infer</c> and <c>ingest datasets validate --against</c>: a user's file to a registered dataset and a run.</summary>
public sealed class DatasetsInferTests : IDisposable
{
    private const string Strikes =
        "Airport: Name,Cost Total $,Zip,Incident Date,Species\n"
        + "Denver Intl,1234.50,00123,Jan 1 2000,Mourning dove\n"
        + "O'Hare,99.00,60601,Feb 29 2000,NA\n"
        + "\"Austin, Bergstrom\",0.10,78719,Dec 31 2001,Red-tailed hawk\n";

    private readonly CliHarness _cli = CliHarness.Local();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task InferAddRun_AUsersFile_IngestsWithNoRejects()
    {
        await _cli.InitAsync();
        var data = _cli.WriteFile("strikes.csv", Strikes);
        var draft = Path.Combine(_cli.Root, "strikes.json");
        var report = Path.Combine(_cli.Root, "report.txt");

        var infer = await _cli.RunAsync("datasets", "infer", data, "--id", "faa.strikes", "--output", draft, "--report", report);
        var add = await _cli.RunAsync("datasets", "add", draft);
        var run = await _cli.RunAsync("run", "faa.strikes", data);
        var query = await _cli.RunAsync("query", "select zip, incident_date, cost_total, species from faa.strikes order by zip", "--format", "csv");

        infer.ExitCode.Should().Be(0, infer.ToString());
        infer.Output.Should().BeEmpty("the definition went to --output");
        infer.Errors.Should().Contain($"Drafted faa.strikes (5 columns, 0 sampled records the draft would reject) into {draft}.");
        var definition = JsonNode.Parse(File.ReadAllText(draft))!;
        definition["columns"]!.AsArray().Select(c => $"{c!["name"]} {c["type"]} {c["sourceColumn"]}").Should().Equal(
            "airport_name string Airport: Name", "cost_total decimal(6,2) Cost Total $", "zip string Zip", "incident_date date Incident Date", "species string Species");
        definition["source"]!["nullMarkers"]!.AsArray().Select(m => (string?)m).Should().Equal("", "NA");
        File.ReadAllText(report).Should().Contain("identifiers with leading zeros such as \"00123\"").And.Contain("every value is a date as MMM d yyyy");
        add.ExitCode.Should().Be(0, add.ToString());
        run.ExitCode.Should().Be(0, run.ToString());
        run.Output.Should().MatchRegex(@"rows rejected\s+0");
        query.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "zip,incident_date,cost_total,species", "00123,2000-01-01,1234.50,Mourning dove", "60601,2000-02-29,99.00,", "78719,2001-12-31,0.10,Red-tailed hawk");
    }

    [Fact]
    public async Task Infer_ToStandardOutput_WritesTheDefinitionAndTheReportApart()
    {
        var data = _cli.WriteFile("strikes.csv", Strikes);

        var infer = await _cli.RunAsync("datasets", "infer", data, "--sample-rows", "2");

        infer.ExitCode.Should().Be(0, infer.ToString());
        JsonNode.Parse(infer.Output)!["id"]!.GetValue<string>().Should().Be("draft.strikes");
        infer.Errors.Should().Contain("strikes.csv: 2 records").And.Contain("(a sample: --all reads the whole file)");
    }

    [Theory]
    [InlineData("notes.bin", new string[0], "notes.bin: the format cannot be told from the extension; add --source-format csv, json-lines or parquet.")]
    [InlineData("notes.csv", new[] { "--source-format", "xml" }, "--source-format xml is not a format inference reads: give csv, json-lines or parquet.")]
    [InlineData("notes.csv", new[] { "--time-zone", "Mars/Olympus" }, "--time-zone Mars/Olympus is not a time zone this machine knows; give an IANA name such as Europe/Berlin.")]
    public async Task Infer_BadArguments_FailWithOneLine(string name, string[] options, string message)
    {
        var data = _cli.WriteFile(name, "a\n1\n");

        var result = await _cli.RunAsync(["datasets", "infer", data, .. options]);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Trim().Should().Be("error: " + message);
    }

    [Fact]
    public async Task ValidateAgainst_AFileWithBadRowsAndAnExtraColumn_ShowsMappingRejectsAndIgnoredColumns()
    {
        var draft = Path.Combine(_cli.Root, "strikes.json");
        (await _cli.RunAsync("datasets", "infer", _cli.WriteFile("strikes.csv", Strikes), "--id", "faa.strikes", "--output", draft)).ExitCode.Should().Be(0);
        var later = _cli.WriteFile("later.csv", "Airport: Name,Cost Total $,Zip,Incident Date,Species,Remarks\nDenver Intl,12.5O,80249,Jan 2 2000,Gull,typo\nX,1.00,1,2000-01-03,Gull,iso date\n");

        var clean = await _cli.RunAsync("datasets", "validate", draft, "--against", _cli.WriteFile("again.csv", Strikes));
        var result = await _cli.RunAsync("datasets", "validate", draft, "--against", later);

        clean.ExitCode.Should().Be(0, clean.ToString());
        clean.Output.Should().Contain("3 records read: 0 would be rejected");
        result.ExitCode.Should().Be(1, result.ToString());
        result.Output.Should().Contain("cost_total     <- \"Cost Total $\"  field 2")
            .And.Contain("ignored: the file's \"Remarks\" is read by no column")
            .And.Contain("2 records read: 2 would be rejected")
            .And.Contain("later.csv line 2, column \"cost_total\": \"12.5O\" is not a decimal(6,2)")
            .And.Contain("later.csv line 3, column \"incident_date\": \"2000-01-03\" is not a date (expected a date as MMM d yyyy)");
    }
}
