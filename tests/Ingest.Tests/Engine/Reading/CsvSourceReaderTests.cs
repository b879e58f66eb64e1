using System.Text;
using Ingest.Definitions;
using Ingest.Engine.Reading;

namespace Ingest.Tests.Engine.Reading;

public sealed class CsvSourceReaderTests
{
    private const int BufferSize = 1 << 16;

    private static async Task<List<(long Line, string?[] Fields, string? Error)>> ReadAllAsync(string text, CsvSettings? csv = null, IReadOnlyList<string>? columns = null)
    {
        var bytes = new UTF8Encoding(false).GetBytes(text);
        var source = new SourceDefinition { Format = SourceFormat.Csv, Csv = csv ?? new CsvSettings() };
        var reader = new CsvSourceReader("t.csv", source, columns ?? ["a", "b"], _ => Task.FromResult<Stream>(new MemoryStream(bytes, writable: false)));
        await using (reader)
        {
            await reader.OpenAsync(CancellationToken.None);
            var record = new SourceRecord(2);
            var records = new List<(long, string?[], string?)>();
            while (await reader.ReadAsync(record, CancellationToken.None))
            {
                records.Add((record.Line, record.Fields.Take(record.FieldCount).ToArray(), record.Error));
            }

            return records;
        }
    }

    [Fact]
    public async Task ReadAsync_CrlfInsideAQuotedFieldSplitByTheBufferBoundary_CountsOneLine()
    {
        // Place the CR of an embedded CRLF at every position around the end of the first 64 KiB buffer.
        for (var crAt = BufferSize - 4; crAt <= BufferSize + 4; crAt++)
        {
            const string prefix = "a,b\n1,\"";
            var csv = prefix + new string('x', crAt - prefix.Length) + "\r\nsecond line\"\n2,next\n";

            var records = await ReadAllAsync(csv);

            records.Should().HaveCount(2);
            records[0].Fields[1].Should().EndWith("x\r\nsecond line");
            records.Select(r => r.Line).Should().Equal([2L, 4L], $"the CR sits at char {crAt}: the record after a two-line field starts on line 4");
        }
    }

    [Fact]
    public async Task ReadAsync_DoubledQuoteAndRecordEndsAroundTheBufferBoundary_KeepFieldsAndLines()
    {
        for (var at = BufferSize - 4; at <= BufferSize + 4; at++)
        {
            const string prefix = "a,b\r\n1,\"";
            var csv = prefix + new string('x', at - prefix.Length) + "\"\"y\"\r\n2,\"\"\r\n3,\r\n";

            var records = await ReadAllAsync(csv);

            records.Select(r => r.Line).Should().Equal([2L, 3L, 4L], $"at {at}");
            records[0].Fields[1].Should().EndWith("x\"y");
            records[1].Fields.Should().Equal("2", string.Empty);
            records[2].Fields.Should().Equal("3", string.Empty);
            records.Should().OnlyContain(r => r.Error == null);
        }
    }

    [Fact]
    public async Task ReadAsync_EdgeCases_SplitAsRfc4180Says()
    {
        var records = await ReadAllAsync("a\tb\r1\t\"x\ty\"\r\r2\t\n\"3\"z\tq\n4\t\"open\nnever closed", new CsvSettings { Delimiter = "\\t" });

        records.Select(r => r.Line).Should().Equal(2L, 4L, 5L, 6L);
        records[0].Fields.Should().Equal("1", "x\ty");
        records[1].Fields.Should().Equal("2", string.Empty);
        records[2].Error.Should().Contain("after the closing quote");
        records[3].Fields.Should().Equal("4", "open\nnever closed");
        records[3].Error.Should().Contain("opened on line 6 is never closed");
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public async Task ReadAsync_PlainAndQuotedRecordsAcrossManyBuffers_GiveEveryFieldAndLine(string newline)
    {
        // Plain records take the one-pass split, quoted ones the general reader; records of every length
        // put line ends, CR/LF pairs and quotes at every position of the buffer boundaries.
        var text = new StringBuilder("a,b" + newline);
        var expected = new List<(long Line, string[] Fields)>();
        var line = 2L;
        for (var i = 0; i < 6_000; i++)
        {
            var width = i % 97;
            var plain = new string('x', width);
            switch (i % 5)
            {
                case 0:
                    var quoted = $"q{i}" + newline + "\"" + plain + ",";
                    text.Append(i).Append(",\"").Append(quoted.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"').Append(newline);
                    expected.Add((line, [i.ToString(System.Globalization.CultureInfo.InvariantCulture), quoted]));
                    line += 2;
                    break;
                case 1:
                    text.Append(i).Append(',').Append(newline);
                    expected.Add((line++, [i.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Empty]));
                    break;
                default:
                    text.Append(i).Append(',').Append(plain).Append(newline);
                    expected.Add((line++, [i.ToString(System.Globalization.CultureInfo.InvariantCulture), plain]));
                    break;
            }
        }

        text.Length.Should().BeGreaterThan(4 * BufferSize);
        var records = await ReadAllAsync(text.ToString());

        records.Should().HaveCount(expected.Count);
        for (var r = 0; r < expected.Count; r++)
        {
            records[r].Error.Should().BeNull();
            records[r].Line.Should().Be(expected[r].Line, $"record {r}");
            records[r].Fields.Should().Equal(expected[r].Fields, $"record {r}");
        }
    }

    [Fact]
    public async Task ReadAsync_UnquotedLinesOfEveryShape_SplitAtEveryDelimiter()
    {
        // The one-pass split looks at 16 characters at a time: fields of 0 to 40 characters put delimiters at
        // every position of a block, at its edges and in the characters after the last whole block.
        var random = new Random(7);
        var text = new StringBuilder("a,b\n");
        var expected = new List<string[]>();
        for (var i = 0; i < 3_000; i++)
        {
            var fields = Enumerable.Range(0, random.Next(1, 13)).Select(_ => new string((char)('a' + random.Next(26)), random.Next(0, 41))).ToArray();
            if (fields is [""])
            {
                fields = ["x"]; // a blank line is skipped, not a record
            }

            text.Append(string.Join(',', fields)).Append('\n');
            expected.Add(fields);
        }

        var records = await ReadAllAsync(text.ToString());

        records.Select(r => r.Fields).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [Theory]
    [InlineData("0123456789abcdefghij,\"x,y\",z", new[] { "0123456789abcdefghij", "x,y", "z" })]
    [InlineData("0123456789,abcdefghijklmnopqrstuvwxyz,\"q\"", new[] { "0123456789", "abcdefghijklmnopqrstuvwxyz", "q" })]
    [InlineData("a,b,c,d,e,f,g,h,i,\"j\"", new[] { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j" })]
    public async Task ReadAsync_QuoteAfterFieldsWereSplit_TheLineIsReadAsAWhole(string line, string[] fields)
    {
        var records = await ReadAllAsync("a,b\n" + line + "\nnext,1\n");

        records.Should().HaveCount(2);
        records[0].Fields.Should().Equal(fields);
        records[0].Line.Should().Be(2);
        records[1].Fields.Should().Equal("next", "1");
        records[1].Line.Should().Be(3);
    }
}
