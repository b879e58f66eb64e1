using Ingest.Cli.Tests.Infrastructure;
using Ingest.Definitions;

namespace Ingest.Cli.Tests.Commands;

public sealed class DatasetsTests : IAsyncLifetime, IDisposable
{
    private readonly CliHarness _cli = CliHarness.InMemory();

    public Task InitializeAsync() => _cli.InitAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Add_NewDefinition_RegistersVersion1()
    {
        var file = _cli.WriteFile("orders.json", TestDefinitions.Orders);

        var result = await _cli.RunAsync("datasets", "add", file);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("registered sales.orders v1");
    }

    [Fact]
    public async Task Add_SameDefinitionAgain_IsUnchanged()
    {
        var file = _cli.WriteFile("orders.json", TestDefinitions.Orders);
        await _cli.RunAsync("datasets", "add", file);

        var result = await _cli.RunAsync("datasets", "add", file);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("unchanged (v1)");
    }

    [Fact]
    public async Task Add_CompatibleChange_RegistersVersion2()
    {
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));

        var result = await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders-v2.json", TestDefinitions.OrdersV2));

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("registered sales.orders v2");
    }

    [Fact]
    public async Task Add_SeveralFiles_RegistersEach()
    {
        var other = TestDefinitions.Orders.Replace("sales.orders", "sales.returns", StringComparison.Ordinal);

        var result = await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders), _cli.WriteFile("returns.json", other));

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("registered sales.orders v1").And.Contain("registered sales.returns v1");
    }

    [Fact]
    public async Task Add_InvalidDefinition_Exits2AndNamesTheJsonPath()
    {
        var result = await _cli.RunAsync("datasets", "add", _cli.WriteFile("broken.json", TestDefinitions.InvalidColumnName));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().StartWith("error: ").And.Contain("broken.json").And.Contain("$.columns[1].name").And.Contain("Order Date");
        result.Errors.Should().NotContain("   at ");
    }

    [Fact]
    public async Task Add_UnknownType_Exits2AndNamesTheJsonPath()
    {
        var result = await _cli.RunAsync("datasets", "add", _cli.WriteFile("broken.json", TestDefinitions.InvalidType));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().Contain("$.columns[1].type").And.Contain("money");
    }

    [Fact]
    public async Task Add_MalformedJson_Exits2AndSaysWhere()
    {
        var result = await _cli.RunAsync("datasets", "add", _cli.WriteFile("broken.json", "{ \"id\": \"sales.orders\", "));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().Contain("broken.json").And.Contain("line 1");
    }

    [Fact]
    public async Task Add_IncompatibleChange_Exits2AndListsEachIncompatibility()
    {
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));

        var result = await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders-bad.json", TestDefinitions.OrdersIncompatible));

        result.ExitCode.Should().Be(2, result.ToString());
        result.Errors.Should().Contain("not compatible with version 1")
            .And.Contain("column 'country' was removed")
            .And.Contain("column 'amount' narrowed from decimal(18,2) to decimal(10,2)")
            .And.Contain("column 'quantity' changed from nullable to required");
        (await _cli.RunAsync("datasets", "show", "sales.orders", "--version", "2")).ExitCode.Should().Be(2, "nothing was registered");
    }

    [Fact]
    public async Task Add_MissingFile_Exits2AndNamesIt()
    {
        var result = await _cli.RunAsync("datasets", "add", Path.Combine(_cli.Root, "nope.json"));

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("nope.json").And.Contain("does not exist");
    }

    [Fact]
    public async Task List_ShowsEveryDatasetWithItsLatestVersion()
    {
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders-v2.json", TestDefinitions.OrdersV2));

        var result = await _cli.RunAsync("datasets", "list");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("latest version").And.Contain("write mode").And.Contain("registered at");
        var row = result.Output.Split('\n').Single(l => l.Contains("sales.orders", StringComparison.Ordinal));
        row.Should().Contain("v2").And.Contain("csv").And.Contain(" 6 ").And.Contain("order_date_month").And.Contain("append");
    }

    [Fact]
    public async Task List_Empty_SaysHowToAdd()
    {
        var result = await _cli.RunAsync("datasets", "list");

        result.ExitCode.Should().Be(0);
        result.Output.Should().Contain("No datasets registered");
    }

    [Fact]
    public async Task Show_PrintsTheDefinitionAsJson()
    {
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders-v2.json", TestDefinitions.OrdersV2));

        var latest = await _cli.RunAsync("datasets", "show", "sales.orders");
        var first = await _cli.RunAsync("datasets", "show", "sales.orders", "--version", "1");

        latest.ExitCode.Should().Be(0, latest.ToString());
        DatasetDefinitionSerializer.Deserialize(latest.Output).Columns.Should().HaveCount(6);
        DatasetDefinitionSerializer.Deserialize(first.Output).Should().BeEquivalentTo(
            DatasetDefinitionSerializer.Deserialize(TestDefinitions.Orders) with { Table = new TableSettings { Format = TableFormat.Iceberg } },
            "what is shown is what was registered: the table format resolved");
    }

    [Fact]
    public async Task Show_UnknownDataset_Exits2AndNamesIt()
    {
        var result = await _cli.RunAsync("datasets", "show", "sales.nothing");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("sales.nothing").And.Contain("not registered");
    }

    [Fact]
    public async Task Show_UnknownVersion_Exits2()
    {
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));

        var result = await _cli.RunAsync("datasets", "show", "sales.orders", "--version", "7");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("no version 7");
    }

    [Fact]
    public async Task Diff_FileAgainstLatest_ListsColumnChangesAndCompatibility()
    {
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));

        var result = await _cli.RunAsync("datasets", "diff", "sales.orders", _cli.WriteFile("orders-v2.json", TestDefinitions.OrdersV2));

        result.ExitCode.Should().Be(0, result.ToString());
        Line(result, "quantity").Should().Contain("type").And.Contain("int32").And.Contain("int64");
        Line(result, "channel").Should().Contain("added").And.Contain("string");
        result.Output.Should().Contain("compatible").And.NotContain("incompatible");
    }

    [Fact]
    public async Task Diff_IncompatibleFile_ListsEachIncompatibility()
    {
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));

        var result = await _cli.RunAsync("datasets", "diff", "sales.orders", _cli.WriteFile("bad.json", TestDefinitions.OrdersIncompatible));

        result.ExitCode.Should().Be(0, result.ToString());
        Line(result, "country").Should().Contain("removed");
        Line(result, "amount").Should().Contain("decimal(18,2)").And.Contain("decimal(10,2)");
        Line(result, "quantity").Should().Contain("nullability").And.Contain("required");
        result.Output.Should().Contain("incompatible with v1")
            .And.Contain("column 'country' was removed")
            .And.Contain("column 'amount' narrowed")
            .And.Contain("column 'quantity' changed from nullable to required");
    }

    [Fact]
    public async Task Diff_TwoVersions_ComparesThem()
    {
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders-v2.json", TestDefinitions.OrdersV2));

        var explicitVersions = await _cli.RunAsync("datasets", "diff", "sales.orders", "--from", "1", "--to", "2");
        var defaults = await _cli.RunAsync("datasets", "diff", "sales.orders");

        explicitVersions.ExitCode.Should().Be(0, explicitVersions.ToString());
        explicitVersions.Output.Should().Contain("v1 -> v2").And.Contain("channel").And.Contain("compatible");
        defaults.Output.Should().Be(explicitVersions.Output);
    }

    [Fact]
    public async Task Diff_FileOfAnotherDataset_Exits2()
    {
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));
        var other = _cli.WriteFile("returns.json", TestDefinitions.Orders.Replace("sales.orders", "sales.returns", StringComparison.Ordinal));

        var result = await _cli.RunAsync("datasets", "diff", "sales.orders", other);

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("sales.returns");
    }

    [Fact]
    public async Task Diff_UnknownDataset_Exits2AndNamesIt()
    {
        var result = await _cli.RunAsync("datasets", "diff", "sales.nothing", "--from", "1", "--to", "2");

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("sales.nothing");
    }

    [Fact]
    public async Task Validate_ValidUnregisteredFile_Succeeds()
    {
        var result = await _cli.RunAsync("datasets", "validate", _cli.WriteFile("orders.json", TestDefinitions.Orders));

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("orders.json: valid sales.orders");
        (await _cli.RunAsync("datasets", "show", "sales.orders")).ExitCode.Should().Be(2, "validate registers nothing");
    }

    [Fact]
    public async Task Validate_AnyInvalidFile_Exits1AndReportsEach()
    {
        var result = await _cli.RunAsync(
            "datasets", "validate",
            _cli.WriteFile("orders.json", TestDefinitions.Orders),
            _cli.WriteFile("broken.json", TestDefinitions.InvalidColumnName));

        result.ExitCode.Should().Be(1, result.ToString());
        result.Output.Should().Contain("orders.json: valid");
        result.Errors.Should().Contain("broken.json").And.Contain("$.columns[1].name");
    }

    [Fact]
    public async Task Validate_IncompatibleWithRegistered_Exits1AndListsEachIncompatibility()
    {
        await _cli.RunAsync("datasets", "add", _cli.WriteFile("orders.json", TestDefinitions.Orders));

        var compatible = await _cli.RunAsync("datasets", "validate", _cli.WriteFile("orders-v2.json", TestDefinitions.OrdersV2));
        var incompatible = await _cli.RunAsync("datasets", "validate", _cli.WriteFile("bad.json", TestDefinitions.OrdersIncompatible));

        compatible.ExitCode.Should().Be(0, compatible.ToString());
        compatible.Output.Should().Contain("compatible with v1");
        incompatible.ExitCode.Should().Be(1, incompatible.ToString());
        incompatible.Errors.Should().Contain("column 'country' was removed").And.Contain("column 'amount' narrowed");
    }

    [Fact]
    public async Task Validate_MissingFile_Exits2()
    {
        var result = await _cli.RunAsync("datasets", "validate", Path.Combine(_cli.Root, "nope.json"));

        result.ExitCode.Should().Be(2);
        result.Errors.Should().Contain("nope.json");
    }

    private static string Line(CliResult result, string column)
        => result.Output.Split('\n').Single(l => l.Contains($" {column} ", StringComparison.Ordinal));
}
