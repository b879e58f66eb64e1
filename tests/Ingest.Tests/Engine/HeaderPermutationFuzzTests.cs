using Ingest.Definitions;
using Ingest.Engine;
using Ingest.Testing;

namespace Ingest.Tests.Engine;

/// <summary>
/// Issue 15's fuzz test: headers with columns missing, duplicated, reordered, renamed or in another case. Every run either
/// fails with an error that names the problem, or writes every definition column with the values of the file: no
/// permutation writes a NULL column or drops a column unless the definition opts in ("optional": true).
/// </summary>
public sealed class HeaderPermutationFuzzTests : IDisposable
{
    private static readonly string[] Names = ["id", "customer", "amount", "qty"];
    private readonly EngineHarness _h = new();

    public void Dispose() => _h.Dispose();

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RunAsync_PermutedHeader_FailsNamingTheProblemOrWritesEveryColumn(int seed)
    {
        var random = new Random(seed);
        var optional = random.Next(4) == 0 ? Names[1 + random.Next(3)] : null;
        var id = IngestTestData.NewDatasetId("fuzz");
        await _h.RegisterAsync(IngestTestData.Definition(id) with
        {
            Columns = [.. IngestTestData.Definition(id).Columns.Select(c => c with { Optional = c.Name == optional })],
        });

        // The file's columns: the schema's, then one to four edits.
        var header = Names.ToList();
        var edits = new List<string>();
        for (var i = 0; i < 1 + random.Next(4); i++)
        {
            var at = random.Next(header.Count);
            switch (random.Next(5))
            {
                case 0 when header.Count > 1:
                    edits.Add($"missing {header[at]}");
                    header.RemoveAt(at);
                    break;
                case 1:
                    edits.Add($"duplicated {header[at]}");
                    header.Insert(random.Next(header.Count + 1), header[at]);
                    break;
                case 2:
                    edits.Add("reordered");
                    header = [.. header.OrderBy(_ => random.Next())];
                    break;
                case 3:
                    edits.Add($"renamed {header[at]}");
                    header[at] += "_x";
                    break;
                default:
                    edits.Add($"case of {header[at]}");
                    header[at] = header[at].ToUpperInvariant();
                    break;
            }
        }

        // Each field's value tells its column: id 7, customer "c", amount 2.50, qty 3.
        static string Value(string name) => name switch { "id" => "7", "customer" => "c", "amount" => "2.50", "qty" => "3", _ => "99" };
        var csv = string.Join(',', header) + "\n" + string.Join(',', header.Select(Value)) + "\n";

        IngestRunResult result;
        try
        {
            result = await _h.RunAsync(id, EngineHarness.Text("f.csv", csv));
        }
        catch (DataValidationException error)
        {
            // Refused: the message names what is wrong with the header, and the lake holds nothing.
            var absent = Names.Where(n => !header.Contains(n) && n != optional).ToList();
            var duplicates = header.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            (duplicates.Count > 0 || absent.Count > 0).Should().BeTrue($"header {csv.Split('\n')[0]} ({string.Join(", ", edits)}) was refused: {error.Message}");
            if (duplicates.Count > 0)
            {
                duplicates.Should().Contain(d => error.Message.Contains($"the header names '{d}' twice", StringComparison.Ordinal), error.Message);
            }
            else
            {
                absent.Should().OnlyContain(n => error.Message.Contains($"'{n}'", StringComparison.Ordinal));
            }

            _h.Keys(Ingest.Storage.LakeZone.Curated).Should().BeEmpty();
            return;
        }

        // Accepted: every definition column is in the file (or opted in as optional) and holds the file's value.
        header.Distinct().Count().Should().Be(header.Count, "a duplicated header must not be accepted");
        result.Run.RowsWritten.Should().Be(1);
        var row = (await _h.QueryAsync(id, "SELECT CAST(id AS VARCHAR), customer, CAST(amount AS VARCHAR), CAST(qty AS VARCHAR) FROM {curated}")).Single();
        for (var c = 0; c < Names.Length; c++)
        {
            if (header.Contains(Names[c]))
            {
                row[c].Should().Be(Value(Names[c]), $"column {Names[c]} of header {csv.Split('\n')[0]}");
            }
            else
            {
                Names[c].Should().Be(optional, $"only an optional column may be absent (header {csv.Split('\n')[0]})");
                row[c].Should().BeNull();
                result.Run.Counters.Should().Contain(RowProcessor.InputsWithoutCounter + Names[c], 1);
            }
        }
    }
}
