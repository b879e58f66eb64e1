using System.Globalization;
using System.Text;
using Ingest.Definitions;
using Ingest.Engine.Conversion;

namespace Ingest.Engine.Writing;

/// <summary>
/// Derives a row's Hive-style partition path (<c>name=value/…/</c>) from its typed values. Values are
/// percent-encoded as Hive and Spark do (<see cref="HivePartitionValue"/>), so a row can never write outside its
/// dataset's folder; only values with no folder form (empty, NUL, too long) are refused with a reason.
/// </summary>
internal sealed class Partitioner
{
    /// <summary>The folder value of a null partition value (the Hive convention).</summary>
    public const string NullValue = "__HIVE_DEFAULT_PARTITION__";

    private readonly (string Name, int Ordinal, PartitionTransform Transform, ColumnType Type)[] _fields;
    private readonly string _ingestDate;
    private readonly StringBuilder _builder = new();
    private long _lastKey = long.MinValue;
    private string? _lastPath;

    public Partitioner(DatasetDefinition definition, DateOnly ingestDate)
    {
        var layout = new RowLayout(definition.Columns);
        _fields = [.. definition.Partitioning.Select(p => (
            p.EffectiveName,
            p.Transform == PartitionTransform.IngestDate ? -1 : layout.IndexOf(p.Column!),
            p.Transform,
            p.Transform == PartitionTransform.IngestDate ? ColumnType.Date : definition.Columns[layout.IndexOf(p.Column!)].Type))];
        _ingestDate = ingestDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    public bool IsPartitioned => _fields.Length > 0;

    /// <summary>
    /// Whether the partitioner reads the column in its physical form (<see cref="PhysicalValue"/>): a day,
    /// month or year of a date or timestamp. Other partition fields need the value as an object.
    /// </summary>
    public static bool ReadsPhysical(PartitionField field, ColumnType type)
        => field.Transform is PartitionTransform.Day or PartitionTransform.Month or PartitionTransform.Year
            && type.Kind is ColumnKind.Date or ColumnKind.Timestamp;

    /// <summary>
    /// Builds the partition path of a row; returns <see langword="null"/> and a reason when a value is not
    /// allowed. A slot holding <see cref="PhysicalValue.InBits"/> has its value in <paramref name="bits"/>.
    /// </summary>
    public string? TryGetPath(object?[] values, long[]? bits, out string? error)
    {
        error = null;
        if (_fields.Length == 0)
        {
            return string.Empty;
        }

        // Extracts are usually ordered by time: consecutive rows fall on the same day, month or year, so the
        // path of a single temporal partition field is reused instead of formatted and checked per row.
        var (_, first, firstTransform, firstType) = _fields[0];
        var key = _fields.Length == 1 && first >= 0 ? TemporalKey(values, bits, first, firstType, firstTransform) : long.MinValue;
        if (key != long.MinValue && key == _lastKey)
        {
            return _lastPath;
        }

        _builder.Clear();
        foreach (var (name, ordinal, transform, type) in _fields)
        {
            var text = transform == PartitionTransform.IngestDate ? _ingestDate
                : Format(ReferenceEquals(values[ordinal], PhysicalValue.InBits) ? PhysicalValue.ToClr(bits![ordinal], type) : values[ordinal], transform);
            if (text is null)
            {
                text = NullValue;
            }
            else if (HivePartitionValue.TryEncode(text, out var problem) is { } folder)
            {
                text = folder;
            }
            else
            {
                error = $"{name}: partition value \"{text}\" cannot be a folder name: {problem}";
                return null;
            }

            _builder.Append(name).Append('=').Append(text).Append('/');
        }

        (_lastKey, _lastPath) = (key, _builder.ToString());
        return _lastPath;
    }

    /// <summary>A number that is equal for two values exactly when the transform gives them the same folder; MinValue when there is none.</summary>
    /// <remarks>A date or timestamp in its physical form is read from <paramref name="bits"/> without a box.</remarks>
    private static long TemporalKey(object?[] values, long[]? bits, int ordinal, ColumnType type, PartitionTransform transform) => values[ordinal] switch
    {
        var value when ReferenceEquals(value, PhysicalValue.InBits) => type.Kind == ColumnKind.Timestamp
            ? TemporalKey(PhysicalValue.ToTimestamp(bits![ordinal]), transform)
            : TemporalKey(PhysicalValue.ToDate(bits![ordinal]), transform),
        DateTime t => TemporalKey(t, transform),
        DateOnly d => TemporalKey(d, transform),
        _ => long.MinValue,
    };

    private static long TemporalKey(DateTime t, PartitionTransform transform) => transform switch
    {
        PartitionTransform.Day => t.Ticks / TimeSpan.TicksPerDay,
        PartitionTransform.Month => (t.Year * 12L) + t.Month,
        PartitionTransform.Year => t.Year,
        _ => long.MinValue,
    };

    private static long TemporalKey(DateOnly d, PartitionTransform transform) => transform switch
    {
        PartitionTransform.Day => d.DayNumber,
        PartitionTransform.Month => (d.Year * 12L) + d.Month,
        PartitionTransform.Year => d.Year,
        _ => long.MinValue,
    };

    private static string? Format(object? value, PartitionTransform transform)
    {
        if (value is null)
        {
            return null;
        }

        var inv = CultureInfo.InvariantCulture;
        return (transform, value) switch
        {
            (PartitionTransform.Day, DateTime t) => t.ToString("yyyy-MM-dd", inv),
            (PartitionTransform.Day, DateOnly d) => d.ToString("yyyy-MM-dd", inv),
            (PartitionTransform.Month, DateTime t) => t.ToString("yyyy-MM", inv),
            (PartitionTransform.Month, DateOnly d) => d.ToString("yyyy-MM", inv),
            (PartitionTransform.Year, DateTime t) => t.ToString("yyyy", inv),
            (PartitionTransform.Year, DateOnly d) => d.ToString("yyyy", inv),
            _ => InvariantValues.Format(value),
        };
    }
}
