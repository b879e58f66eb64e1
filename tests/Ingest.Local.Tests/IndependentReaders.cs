using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;

namespace Ingest.Local.Tests;

/// <summary>Readers that are not Ingest's: icebird (JavaScript) over an Iceberg table, DuckDB over Parquet files.</summary>
internal static class IndependentReaders
{
    internal static async Task<(long, decimal)> DuckDbCountAndSumAsync(IReadOnlyList<string> files)
    {
        var list = string.Join(", ", files.Select(f => "'" + f.Replace("'", "''", StringComparison.Ordinal) + "'"));
        var row = (await QueryDuckDbAsync($"SELECT count(*), coalesce(sum(amount), 0) FROM read_parquet([{list}])"))[0];
        return (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToDecimal(row[1], CultureInfo.InvariantCulture));
    }

    internal static async Task<List<object?[]>> QueryDuckDbAsync(string sql)
    {
        using var duck = new DuckDBConnection("DataSource=:memory:");
        await duck.OpenAsync();
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Runs the icebird reader (tests/Shared/iceberg-read.mjs) on a table at one metadata file.</summary>
    internal static async Task<JsonElement> IcebirdAsync(string table, string metadataFile, params string[] sumColumns)
    {
        var tests = Path.Combine(RepositoryRoot(), "tests");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(tests, "Shared", "iceberg-read.mjs"));
        start.ArgumentList.Add(table);
        start.ArgumentList.Add(metadataFile);
        foreach (var column in sumColumns)
        {
            start.ArgumentList.Add(column);
        }

        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        node.ExitCode.Should().Be(0, await errors);
        return JsonDocument.Parse(await output).RootElement.Clone();
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ingest.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ingest.sln not found");
    }
}
