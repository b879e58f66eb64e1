using Ingest.Definitions;
using Ingest.Engine.Conversion;
using Ingest.Engine.Writing;

namespace Ingest.Tests.Engine.Writing;

public sealed class ColumnBufferTests
{
    [Fact]
    public void BinaryBuffer_StringsGivenAsCharacters_StoreTheSameBytesAsStrings()
    {
        string?[] values = ["Ada", string.Empty, null, "Zoë — 東京", "Ada", new string('x', 5000)];
        var characters = string.Concat(values).ToCharArray();
        var fromStrings = (BinaryColumnBuffer)ColumnBuffer.Create(new ColumnDefinition { Name = "s", Type = ColumnType.String });
        var fromCharacters = (BinaryColumnBuffer)ColumnBuffer.Create(new ColumnDefinition { Name = "s", Type = ColumnType.String });

        var start = 0;
        foreach (var value in values)
        {
            fromStrings.Add(value);
            if (value is null)
            {
                fromCharacters.Add(null);
                continue;
            }

            fromCharacters.AddPhysical(PhysicalValue.FromRange(start, value.Length), characters);
            start += value.Length;
        }

        fromCharacters.Bytes.ToArray().Should().Equal(fromStrings.Bytes.ToArray());
        fromCharacters.Ends.ToArray().Should().Equal(fromStrings.Ends.ToArray());
        fromCharacters.Defined.ToArray().Should().Equal(fromStrings.Defined.ToArray());
        fromCharacters.NullCount.Should().Be(1);
        fromCharacters.SingleInstance.Should().BeFalse();
    }

    [Fact]
    public void BinaryBuffer_OneValueAsCharacters_IsASingleInstance_TwoAreNot()
    {
        var characters = "runrun".ToCharArray();
        var buffer = (BinaryColumnBuffer)ColumnBuffer.Create(new ColumnDefinition { Name = "s", Type = ColumnType.String });

        buffer.AddPhysical(PhysicalValue.FromRange(0, 3), characters);
        buffer.SingleInstance.Should().BeTrue();

        buffer.AddPhysical(PhysicalValue.FromRange(3, 3), characters);
        buffer.SingleInstance.Should().BeFalse("equal characters are not known to be one instance");
    }

    [Fact]
    public void PhysicalString_RoundTripsThroughItsRange()
    {
        var characters = "abcdef".ToCharArray();
        var bits = PhysicalValue.FromRange(2, 3);

        PhysicalValue.ToClr(bits, ColumnType.String, characters).Should().Be("cde");
        PhysicalValue.Characters(PhysicalValue.FromRange(6, 0), characters).Length.Should().Be(0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    public void BinaryBuffer_RepeatsOfOneInstance_AreWrittenOutWhenAllValuesAreRead(int repeats)
    {
        var run = "run-0f3a";
        var buffer = (BinaryColumnBuffer)ColumnBuffer.Create(new ColumnDefinition { Name = "s", Type = ColumnType.String });
        var expected = (BinaryColumnBuffer)ColumnBuffer.Create(new ColumnDefinition { Name = "s", Type = ColumnType.String });
        for (var i = 0; i < repeats; i++)
        {
            buffer.Add(run);
            buffer.Add(i % 7 == 0 ? null : run);
            expected.Add(new string(run)); // a new instance each time: every value written out
            expected.Add(i % 7 == 0 ? null : new string(run));
        }

        buffer.SingleInstance.Should().BeTrue();
        buffer.FirstValue.ToArray().Should().Equal("run-0f3a"u8.ToArray());
        buffer.ValueCount.Should().Be(expected.ValueCount);
        buffer.Ends.ToArray().Should().Equal(expected.Ends.ToArray());
        buffer.Bytes.ToArray().Should().Equal(expected.Bytes.ToArray());
        buffer.Defined.ToArray().Should().Equal(expected.Defined.ToArray());
    }

    [Fact]
    public void BinaryBuffer_AnotherValueAfterRepeats_KeepsEveryValueInOrder()
    {
        var run = "run";
        var buffer = (BinaryColumnBuffer)ColumnBuffer.Create(new ColumnDefinition { Name = "s", Type = ColumnType.String });
        buffer.Add(run);
        buffer.Add(run);
        buffer.Add(run);
        buffer.Add("other");
        buffer.AddPhysical(PhysicalValue.FromRange(0, 2), "xy".ToCharArray());
        buffer.Add("other");

        buffer.SingleInstance.Should().BeFalse();
        Values(buffer).Should().Equal("run", "run", "run", "other", "xy", "other");

        buffer.Reset();
        buffer.Add(run);
        buffer.Add(run);
        Values(buffer).Should().Equal("run", "run");
    }

    private static List<string> Values(BinaryColumnBuffer buffer)
    {
        var (bytes, ends) = (buffer.Bytes.ToArray(), buffer.Ends.ToArray());
        var start = 0;
        var values = new List<string>();
        foreach (var end in ends)
        {
            values.Add(System.Text.Encoding.UTF8.GetString(bytes, start, end - start));
            start = end;
        }

        return values;
    }
}
