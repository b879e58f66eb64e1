using System.Text.Json;
using System.Text.Json.Nodes;
using Ingest.Database;
using Ingest.Database.Tests.Infrastructure;
using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Ledger;
using Ingest.Storage;
using Ingest.Tests.Definitions;
using Ingest.Tests.Engine;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Ingest.Tests.Conformance;

/// <summary>
/// Runs every case of tests/conformance/cases through the in-process engine and compares the outcome with the
/// case's expected.json (the Glue job's Python suite reads the same cases: terraform/glue_ingest_job/tests/test_conformance.py).
/// A database case (<c>"format": "database"</c>) gets a PostgreSQL database of its own, set up with its <c>database.sql</c>; a run's
/// <c>databaseSql</c> changes the source before that run, which the in-process extractor (Ingest.Database) then reads.
/// </summary>
public sealed class ConformanceCorpusTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    public static TheoryData<string> Cases => ConformanceCorpus.CaseNames();

    [Fact]
    public void Corpus_EveryFolder_IsACompleteCase()
    {
        var names = ConformanceCorpus.CaseNames();
        names.Should().HaveCountGreaterThanOrEqualTo(15);
        foreach (var name in names)
        {
            var folder = ConformanceCorpus.Folder(name);
            File.Exists(Path.Combine(folder, "definition.json")).Should().BeTrue($"{name} needs a definition.json");
            File.Exists(Path.Combine(folder, "expected.json")).Should().BeTrue($"{name} needs an expected.json");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Case_InProcessEngine_MatchesExpected(string name)
    {
        var folder = ConformanceCorpus.Folder(name);
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "expected.json")))!.AsObject();
        var definitionText = await File.ReadAllTextAsync(Path.Combine(folder, "definition.json"));

        var actual = await RunCaseAsync(definitionText, expected, folder, postgres);

        var want = ConformanceCorpus.Outcome(expected);
        JsonNode.DeepEquals(actual, want).Should().BeTrue(
            $"case {name} differs.\nexpected: {want.ToJsonString(ConformanceCorpus.Indented)}\nactual:   {actual.ToJsonString(ConformanceCorpus.Indented)}");
    }

    private static async Task<JsonObject> RunCaseAsync(string definitionText, JsonObject expected, string folder, PostgresServer postgres)
    {
        if (expected["definitionError"] is JsonObject definitionError)
        {
            var path = (string)definitionError["path"]!;
            var message = (string)definitionError["message"]!;
            try
            {
                DatasetDefinitionSerializer.Deserialize(definitionText, "definition.json");
                return new JsonObject { ["definitionError"] = "none: the definition was accepted" };
            }
            catch (DefinitionException error)
            {
                var match = error.Errors.FirstOrDefault(e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
                return new JsonObject
                {
                    ["definitionError"] = match is null
                        ? JsonValue.Create(error.Message)
                        : new JsonObject { ["path"] = path, ["message"] = message },
                };
            }
        }

        var definition = DatasetDefinitionSerializer.Deserialize(definitionText, "definition.json");
        var time = new FakeTimeProvider(ConformanceCorpus.FirstRunStart);
        using var harness = new EngineHarness(time);
        await harness.RegisterAsync(definition);
        var (database, configure) = await DatabaseAsync(definition, folder, time, postgres);
        var runIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var runs = new JsonArray();
        var number = 0;
        foreach (var run in expected["runs"]!.AsArray())
        {
            number++;
            time.SetUtcNow(ConformanceCorpus.RunStart(number));
            if ((string?)run!["databaseSql"] is { } change)
            {
                await PostgresServer.ExecuteAsync(database!, change);
            }

            var inputs = (run["inputs"]?.AsArray() ?? [])
                .Select(i => EngineHarness.Bytes((string)i!, File.ReadAllBytes(Path.Combine(folder, (string)i!))))
                .ToArray();
            try
            {
                var result = await harness.RunAsync(definition.Id, configure, inputs);
                runIndex[result.Run.RunId] = number;
                runs.Add(Describe(result.Run, null, run.AsObject()));
            }
            catch (IngestException error)
            {
                var record = await harness.Backends.Ledger.ListRunsAsync(definition.Id).FirstAsync(r => !runIndex.ContainsKey(r.RunId));
                runIndex[record.RunId] = number;
                runs.Add(Describe(record, error.Message, run.AsObject()));
            }
        }

        var outcome = new JsonObject { ["runs"] = runs };
        outcome["curated"] = await RowsAsync(harness, definition, LakeZone.Curated, runIndex);
        outcome["quarantine"] = await RowsAsync(harness, definition, LakeZone.Quarantine, runIndex);
        outcome["curatedFileColumns"] = await FileColumnsAsync(harness, definition, LakeZone.Curated);
        outcome["quarantineFileColumns"] = await FileColumnsAsync(harness, definition, LakeZone.Quarantine);
        return outcome;
    }

    /// <summary>For a database case: a database of its own with the case's database.sql, and the extractor the runs use.</summary>
    private static async Task<(string? Database, Action<IngestPipelineBuilder>? Configure)> DatabaseAsync(DatasetDefinition definition, string folder, TimeProvider time, PostgresServer postgres)
    {
        if (definition.Source.Format != SourceFormat.Database)
        {
            return (null, null);
        }

        var database = await postgres.CreateDatabaseAsync();
        await PostgresServer.ExecuteAsync(database, await File.ReadAllTextAsync(Path.Combine(folder, "database.sql")));
        var options = new DatabaseSourceOptions();
        options.Providers[DatabaseProvider.Postgresql] = NpgsqlFactory.Instance;
        options.ConnectionStrings[definition.Source.Database!.Connection] = database;
        var extractor = DatabaseIngest.CreateExtractor(options, time);
        return (database, builder => builder.UseSourceExtractor(extractor));
    }

    private static JsonObject Describe(RunRecord run, string? error, JsonObject expected)
    {
        var described = new JsonObject
        {
            ["status"] = JsonNamingPolicy.KebabCaseLower.ConvertName(run.Status.ToString()),
            ["rowsRead"] = run.RowsRead,
            ["rowsWritten"] = run.RowsWritten,
            ["rowsRejected"] = run.RowsRejected,
            ["partitionsWritten"] = new JsonArray([.. run.PartitionsWritten.Select(p => JsonValue.Create(p))]),
        };
        if (error is not null)
        {
            // The expected text is a part of the message (the engines word the rest differently).
            var part = (string?)expected["error"];
            described["error"] = part is not null && error.Contains(part, StringComparison.Ordinal) ? part : error;
        }

        return described;
    }

    private static async Task<JsonArray> RowsAsync(EngineHarness harness, DatasetDefinition definition, LakeZone zone, Dictionary<string, int> runIndex)
    {
        var rows = new JsonArray();
        if (!harness.Keys(zone).Any(k => k.StartsWith(definition.Id.Domain + "/" + definition.Id.Name + "/", StringComparison.Ordinal) && k.EndsWith(".parquet", StringComparison.Ordinal)))
        {
            return rows;
        }

        var identity = definition.Partitioning.Where(p => p.Transform == PartitionTransform.Identity).Select(p => p.Column).ToHashSet(StringComparer.Ordinal);
        var columns = definition.Columns
            .Select(c => zone == LakeZone.Quarantine || identity.Contains(c.Name) ? $"CAST(\"{c.Name}\" AS VARCHAR)" : Render(c))
            .ToList();
        var extra = zone == LakeZone.Quarantine ? ", _reason, _raw_record" : string.Empty;
        var table = zone == LakeZone.Curated ? "{curated}" : "{quarantine}";
        var result = await harness.QueryAsync(definition.Id, $"SELECT _ingest_run_id, _source_file, _source_line{extra}, {string.Join(", ", columns)} FROM {table}");
        var fixedColumns = zone == LakeZone.Quarantine ? 5 : 3;
        foreach (var row in result.OrderBy(r => runIndex[(string)r[0]!]).ThenBy(r => (string)r[1]!, StringComparer.Ordinal).ThenBy(r => (long)r[2]!))
        {
            var item = new JsonObject
            {
                ["_run"] = runIndex[(string)row[0]!],
                ["_source_file"] = ((string)row[1]!).Replace((string)row[0]!, "{runId}", StringComparison.Ordinal), // a database extract is named after its run
                ["_source_line"] = (long)row[2]!,
            };
            if (zone == LakeZone.Quarantine)
            {
                item["_reason"] = (string)row[3]!;
                item["_raw_record"] = row[4] is string raw ? JsonValue.Create(raw) : null;
            }

            for (var i = 0; i < definition.Columns.Count; i++)
            {
                item[definition.Columns[i].Name] = row[fixedColumns + i] is { } value ? JsonValue.Create((string)value) : null;
            }

            rows.Add(item);
        }

        return rows;
    }

    /// <summary>The columns inside the zone's Parquet files, in file order (folder names not read as columns).</summary>
    private static async Task<JsonArray> FileColumnsAsync(EngineHarness harness, DatasetDefinition definition, LakeZone zone)
    {
        var prefix = definition.Id.Domain + "/" + definition.Id.Name + "/";
        if (!harness.Keys(zone).Any(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.EndsWith(".parquet", StringComparison.Ordinal)))
        {
            return [];
        }

        var glob = zone == LakeZone.Curated ? "{curated_glob}" : "{quarantine_glob}";
        var columns = await harness.QueryAsync(definition.Id, $"SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet({glob}, hive_partitioning = false, union_by_name = true))");
        return new JsonArray([.. columns.Select(c => JsonValue.Create((string)c[0]!))]);
    }

    /// <summary>DuckDB SQL rendering a typed curated column in the corpus's text form (tests/conformance/README.md).</summary>
    private static string Render(ColumnDefinition column)
    {
        var name = $"\"{column.Name}\"";
        return column.Type.Kind switch
        {
            ColumnKind.Boolean => $"CASE WHEN {name} IS NULL THEN NULL WHEN {name} THEN 'true' ELSE 'false' END",
            ColumnKind.Date => $"strftime({name}, '%Y-%m-%d')",
            ColumnKind.Timestamp => $"strftime({name}, '%Y-%m-%dT%H:%M:%S.%fZ')",
            _ => $"CAST({name} AS VARCHAR)",
        };
    }
}

/// <summary>Where the corpus is and what a case expects.</summary>
internal static class ConformanceCorpus
{
    public static readonly DateTimeOffset FirstRunStart = new(2026, 1, 15, 10, 0, 0, TimeSpan.Zero);

    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Root => Path.Combine(DefinitionDocuments.RepositoryRoot, "tests", "conformance", "cases");

    public static string Folder(string name) => Path.Combine(Root, name);

    /// <summary>Run n (from 1) starts n - 1 days after the first, so each run has its own ingest date.</summary>
    public static DateTimeOffset RunStart(int number) => FirstRunStart.AddDays(number - 1);

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.GetDirectories(Root).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(folder));
        }

        return data;
    }

    /// <summary>The parts of expected.json an engine's run produces (inputs and prose left out).</summary>
    public static JsonObject Outcome(JsonObject expected)
    {
        if (expected["definitionError"] is { } error)
        {
            return new JsonObject { ["definitionError"] = error.DeepClone() };
        }

        var runs = new JsonArray();
        foreach (var run in expected["runs"]!.AsArray())
        {
            var copy = run!.DeepClone().AsObject();
            copy.Remove("inputs");
            copy.Remove("databaseSql");
            copy["partitionsWritten"] ??= new JsonArray();
            runs.Add(copy);
        }

        return new JsonObject
        {
            ["runs"] = runs,
            ["curated"] = expected["curated"]?.DeepClone() ?? new JsonArray(),
            ["quarantine"] = expected["quarantine"]?.DeepClone() ?? new JsonArray(),
            ["curatedFileColumns"] = expected["curatedFileColumns"]?.DeepClone() ?? new JsonArray(),
            ["quarantineFileColumns"] = expected["quarantineFileColumns"]?.DeepClone() ?? new JsonArray(),
        };
    }
}
