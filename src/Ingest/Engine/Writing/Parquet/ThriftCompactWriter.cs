using System.Text;

namespace Ingest.Engine.Writing.Parquet;

/// <summary>
/// Writes Thrift structures in the compact protocol, the serialization of Parquet's page headers and file
/// footer: field headers carry the delta to the previous field id in their high nibble, integers are
/// zigzag varints, lists carry their size and element type in one byte when short.
/// </summary>
internal sealed class ThriftCompactWriter(ByteBuffer output)
{
    private const byte TypeTrue = 1;
    private const byte TypeFalse = 2;
    private const byte TypeI32 = 5;
    private const byte TypeI64 = 6;
    private const byte TypeBinary = 8;
    private const byte TypeList = 9;
    private const byte TypeStruct = 12;

    private readonly Stack<short> _lastFields = new();
    private short _lastField;

    public void BeginStruct()
    {
        _lastFields.Push(_lastField);
        _lastField = 0;
    }

    public void EndStruct()
    {
        output.WriteByte(0); // stop
        _lastField = _lastFields.Pop();
    }

    public void FieldI32(short id, int value)
    {
        FieldHeader(id, TypeI32);
        output.WriteZigZag(value);
    }

    public void FieldI64(short id, long value)
    {
        FieldHeader(id, TypeI64);
        output.WriteZigZag(value);
    }

    public void FieldBool(short id, bool value) => FieldHeader(id, value ? TypeTrue : TypeFalse);

    public void FieldBinary(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, TypeBinary);
        output.WriteVarUInt64((ulong)value.Length);
        output.Write(value);
    }

    public void FieldString(short id, string value) => FieldBinary(id, Encoding.UTF8.GetBytes(value));

    /// <summary>Starts a struct-valued field; end it with <see cref="EndStruct"/>.</summary>
    public void FieldStruct(short id)
    {
        FieldHeader(id, TypeStruct);
        BeginStruct();
    }

    /// <summary>Starts a list of structs; write each element with <see cref="BeginStruct"/>/<see cref="EndStruct"/>.</summary>
    public void FieldListOfStructs(short id, int count) => FieldList(id, count, TypeStruct);

    public void FieldListOfI32(short id, IReadOnlyCollection<int> values)
    {
        FieldList(id, values.Count, TypeI32);
        foreach (var value in values)
        {
            output.WriteZigZag(value);
        }
    }

    public void FieldListOfStrings(short id, IReadOnlyCollection<string> values)
    {
        FieldList(id, values.Count, TypeBinary);
        foreach (var value in values)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            output.WriteVarUInt64((ulong)bytes.Length);
            output.Write(bytes);
        }
    }

    private void FieldList(short id, int count, byte elementType)
    {
        FieldHeader(id, TypeList);
        if (count < 15)
        {
            output.WriteByte((byte)((count << 4) | elementType));
        }
        else
        {
            output.WriteByte((byte)(0xF0 | elementType));
            output.WriteVarUInt64((ulong)count);
        }
    }

    private void FieldHeader(short id, byte type)
    {
        var delta = id - _lastField;
        if (delta is > 0 and <= 15)
        {
            output.WriteByte((byte)((delta << 4) | type));
        }
        else
        {
            output.WriteByte(type);
            output.WriteZigZag(id);
        }

        _lastField = id;
    }
}
