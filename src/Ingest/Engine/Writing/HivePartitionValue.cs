using System.Buffers;
using System.Globalization;
using System.Text;

namespace Ingest.Engine.Writing;

/// <summary>
/// The folder form of a partition value in a Hive layout (<c>name=value/</c>), as Hive, Spark and Athena write and read it:
/// the characters that have a meaning in a path or a partition spec (control characters, <c>" # % ' * / : = ? \ { [ ] ^</c>
/// and DEL) become <c>%XX</c> (upper-case hex); everything else stays as it is. A value with a path separator or <c>..</c>
/// therefore stays inside its folder, and text such as <c>Mass movement (dry)</c> is a folder name like any other.
/// </summary>
internal static class HivePartitionValue
{
    /// <summary>The longest folder value accepted, in UTF-8 bytes once encoded (an object key has at most 1,024).</summary>
    public const int MaxEncodedBytes = 512;

    private static readonly SearchValues<char> Reserved = SearchValues.Create(
        "\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"
        + "\"#%'*/:=?\\\u007F{[]^");

    /// <summary>Returns the folder form of <paramref name="value"/>, or <see langword="null"/> and why it has none.</summary>
    public static string? TryEncode(string value, out string? problem)
    {
        problem = value switch
        {
            "" => "an empty text reads back as null in a Hive layout",
            Partitioner.NullValue => $"it is the folder name of null values ({Partitioner.NullValue})",
            _ when value.Contains('\0', StringComparison.Ordinal) => "it holds a NUL character",
            _ when !IsWellFormed(value) => "it holds an unpaired UTF-16 surrogate, which has no UTF-8 form",
            _ => null,
        };
        if (problem is not null)
        {
            return null;
        }

        var encoded = value.AsSpan().IndexOfAny(Reserved) < 0 ? value : Escape(value);
        if (Encoding.UTF8.GetByteCount(encoded) > MaxEncodedBytes)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"its folder form is longer than {MaxEncodedBytes} bytes");
            return null;
        }

        return encoded;
    }

    /// <summary>The value a folder form stands for: every <c>%XX</c> decoded (as Hive's unescapePathName does).</summary>
    public static string Decode(string folderValue)
    {
        if (!folderValue.Contains('%', StringComparison.Ordinal))
        {
            return folderValue;
        }

        var builder = new StringBuilder(folderValue.Length);
        for (var i = 0; i < folderValue.Length; i++)
        {
            if (folderValue[i] == '%' && i + 2 < folderValue.Length
                && int.TryParse(folderValue.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                builder.Append((char)code);
                i += 2;
            }
            else
            {
                builder.Append(folderValue[i]);
            }
        }

        return builder.ToString();
    }

    private static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (Reserved.Contains(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}
