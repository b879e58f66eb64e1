using Ingest.Database.Tests.Infrastructure;
using Ingest.Definitions;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Ingest.Database.Tests.Extraction;

/// <summary>DatabaseDefinitionInference over SQLite, in process: a table's draft through the same connection settings as its runs, run with 0 rejects.</summary>
public sealed class DatabaseInferenceTests(ITestOutputHelper output) : IDisposable
{
    private readonly LakeHarness _lake = new();

    public void Dispose() => _lake.Dispose();

    [Fact]
    public async Task InferAsync_SqliteTable_DraftsColumnsFromTheValuesAndTheDraftRuns()
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_lake.Root, "onprem.db"), Pooling = false }.ConnectionString;
        using (var db = new SqliteConnection(connection))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = """
                CREATE TABLE CustomerMaster (Id INTEGER PRIMARY KEY, Name TEXT, Vip INTEGER, Balance REAL, ChangedAt TEXT NOT NULL, Zip TEXT);
                INSERT INTO CustomerMaster VALUES (1, 'Ada', 1, 10.5, '2024-05-01 08:00:00', '01067'), (2, 'Grace', 0, 0.25, '2024-05-01 08:00:01', '10115'), (3, NULL, NULL, NULL, '2024-05-03 08:00:02', '80331');
                """;
            command.ExecuteNonQuery();
        }

        var settings = new DatabaseSourceSettings { Connection = "crm", Provider = DatabaseProvider.Sqlite, Table = "CustomerMaster" };
        var inferred = await DatabaseDefinitionInference.InferAsync(DatasetId.Parse("crm.customers"), settings, LakeHarness.Options(("crm", connection)));
        output.WriteLine(inferred.Report.ToString());
        output.WriteLine(DatasetDefinitionSerializer.Serialize(inferred.Definition));

        inferred.Definition.Columns.Select(c => $"{c.Name} {c.Type}{(c.Nullable ? string.Empty : " not null")} <- {c.SourceColumn}").Should().Equal(
            "id int32 not null <- Id", "name string <- Name", "vip int32 <- Vip", "balance decimal(4,2) <- Balance", "changed_at timestamp not null <- ChangedAt", "zip string not null <- Zip");
        inferred.Report.Inputs.Single().Records.Should().Be(3);
        inferred.Report.Suggestions.Should().Contain(s => s.Kind == Ingest.Definitions.Inference.SuggestionKind.Keys && s.Json == "[\"id\"]");

        await _lake.RegisterAsync(DatasetDefinitionSerializer.Serialize(inferred.Definition));
        var run = await _lake.Pipeline("crm.customers", LakeHarness.Options(("crm", connection))).ExtractAndRunAsync();

        run.Run.RowsRead.Should().Be(3);
        run.Run.RowsRejected.Should().Be(0);
        (await _lake.QueryAsync("select zip, cast(balance as varchar) from crm.customers order by id")).Select(r => string.Join("|", r)).Should().Equal("01067|10.50", "10115|0.25", "80331|");
    }

    [Fact]
    public async Task InferAsync_MissingTable_FailsNamingTheTableAndTheConnection()
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_lake.Root, "empty.db"), Pooling = false }.ConnectionString;
        var settings = new DatabaseSourceSettings { Connection = "crm", Provider = DatabaseProvider.Sqlite, Table = "nothing" };

        var infer = async () => await DatabaseDefinitionInference.InferAsync(DatasetId.Parse("crm.nothing"), settings, LakeHarness.Options(("crm", connection)));

        (await infer.Should().ThrowAsync<IngestException>()).Which.Message.Should().StartWith("Dataset crm.nothing: cannot read table nothing of connection 'crm' (SQLite: ").And.Contain("no such table");
    }
}
