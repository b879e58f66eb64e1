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
}
