using System.Buffers.Binary;
using System.Numerics;

namespace Ingest.Aws;

/// <summary>CRC-32C (Castagnoli), as S3's <c>x-amz-checksum-crc32c</c> expects: base64 of the big-endian value. Hardware-accelerated where the CPU has it.</summary>
internal static class Crc32C
{
    /// <summary>Returns the checksum of <paramref name="data"/> in S3's header form.</summary>
    public static string ToBase64(ReadOnlySpan<byte> data)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Compute(data));
        return Convert.ToBase64String(bytes);
    }

    /// <summary>Returns the CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
