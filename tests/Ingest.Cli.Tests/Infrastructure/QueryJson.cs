using System.Text.Json;

namespace Ingest.Cli.Tests.Infrastructure;

/// <summary>Runs <c>ingest query … --format json</c> and parses the rows.</summary>
public static class QueryJson
{
    /// <summary>Runs the query and returns its rows as property maps; fails the test if the command fails.</summary>
    public static async Task<IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> QueryAsync(this CliHarness cli, string sql, params string[] parameters)
    {
        var args = new List<string> { "query", sql, "--format", "json" };
        foreach (var parameter in parameters)
        {
            args.Add("--param");
            args.Add(parameter);
        }

        var result = await cli.RunAsync([.. args]);
        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.Output);
        return [.. document.RootElement.EnumerateArray()
            .Select(row => (IReadOnlyDictionary<string, JsonElement>)row.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal))];
    }

    /// <summary>Runs a query that returns one row with one integer column and returns it.</summary>
    public static async Task<long> ScalarAsync(this CliHarness cli, string sql, params string[] parameters)
    {
        var rows = await cli.QueryAsync(sql, parameters);
        rows.Should().ContainSingle();
        return rows[0].Values.Single().GetInt64();
    }
}
