using System.Globalization;
using Ingest.Definitions;

namespace Ingest.Tables.Iceberg;

/// <summary>An Iceberg primitive type by its spec name: <c>string</c>, <c>boolean</c>, <c>int</c>, <c>long</c>, <c>float</c>, <c>double</c>, <c>date</c>, <c>timestamptz</c>, <c>timestamp</c>, <c>decimal(p,s)</c>.</summary>
internal readonly record struct IcebergType(string Name)
{
    public static IcebergType String => new("string");

    public static IcebergType Long => new("long");

    public static IcebergType Int => new("int");

    /// <summary>Maps a column type. Timestamps are <c>timestamptz</c>: the Parquet files hold TIMESTAMP(MICROS, isAdjustedToUTC = true).</summary>
    public static IcebergType From(ColumnType type) => type.Kind switch
    {
        ColumnKind.String => String,
        ColumnKind.Boolean => new("boolean"),
        ColumnKind.Int32 => Int,
        ColumnKind.Int64 => Long,
        ColumnKind.Float => new("float"),
        ColumnKind.Double => new("double"),
        ColumnKind.Decimal => new(string.Create(CultureInfo.InvariantCulture, $"decimal({type.Precision}, {type.Scale})")),
        ColumnKind.Date => new("date"),
        ColumnKind.Timestamp => new("timestamptz"),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column kind."),
    };

    public bool IsDecimal => Name.StartsWith("decimal(", StringComparison.Ordinal);

    /// <summary>Gets the precision and scale of a decimal type.</summary>
    public (int Precision, int Scale) DecimalParts
    {
        get
        {
            var inner = Name["decimal(".Length..^1].Split(',');
            return (int.Parse(inner[0].Trim(), CultureInfo.InvariantCulture), int.Parse(inner[1].Trim(), CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Whether a column of this type may be read as <paramref name="next"/> (Iceberg's allowed promotions).</summary>
    public bool CanPromoteTo(IcebergType next)
    {
        if (this == next)
        {
            return true;
        }

        if (IsDecimal && next.IsDecimal)
        {
            var (p1, s1) = DecimalParts;
            var (p2, s2) = next.DecimalParts;
            return s1 == s2 && p2 >= p1;
        }

        return (Name, next.Name) is ("int", "long") or ("float", "double");
    }

    public override string ToString() => Name;
}

/// <summary>A field of a table schema.</summary>
internal sealed record IcebergField(int Id, string Name, bool Required, IcebergType Type, string? Doc);

/// <summary>A table schema: a struct of fields with ids.</summary>
internal sealed record IcebergSchema(int SchemaId, IReadOnlyList<IcebergField> Fields)
{
    /// <summary>
    /// The schema of <paramref name="columns"/> over the table's current schema: a column whose name exists keeps its field
    /// id (and may widen by Iceberg's promotions), a new name gets the next id after the table's last column id. Returns
    /// the current schema itself when nothing changed; a changed schema gets the next schema id.
    /// </summary>
    public static IcebergSchema Evolve(IcebergTableMetadata? current, IReadOnlyList<(string Name, IcebergType Type, string? Doc)> columns)
    {
        if (current is null)
        {
            return new IcebergSchema(0, [.. columns.Select((c, i) => new IcebergField(i + 1, c.Name, false, c.Type, c.Doc))]);
        }

        var schema = current.CurrentSchema;
        var byName = schema.Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var next = current.LastColumnId;
        var fields = new List<IcebergField>();
        foreach (var (name, type, doc) in columns)
        {
            if (byName.TryGetValue(name, out var existing))
            {
                if (!existing.Type.CanPromoteTo(type))
                {
                    throw new IngestException($"Column '{name}' is {existing.Type} in the Iceberg table and cannot become {type} (Iceberg allows int to long, float to double and a larger decimal precision).");
                }

                fields.Add(existing with { Type = type, Doc = doc ?? existing.Doc });
            }
            else
            {
                fields.Add(new IcebergField(++next, name, false, type, doc));
            }
        }

        // Columns the definition no longer lists stay in the table's schema (files keep them; a compatible change never drops one).
        fields.AddRange(schema.Fields.Where(f => !columns.Any(c => c.Name == f.Name)));
        var same = fields.Count == schema.Fields.Count && fields.Zip(schema.Fields).All(p => p.First == p.Second);
        return same ? schema : new IcebergSchema(current.Schemas.Max(s => s.SchemaId) + 1, fields);
    }
}

/// <summary>A field of a partition spec: <paramref name="Transform"/> is identity, day, month or year.</summary>
internal sealed record IcebergPartitionField(int SourceId, int FieldId, string Name, string Transform)
{
    /// <summary>The type of the partition value: the source type for identity, int for day, month and year.</summary>
    public IcebergType ResultType(IcebergSchema schema)
        => Transform == "identity" ? schema.Fields.First(f => f.Id == SourceId).Type : IcebergType.Int;
}

/// <summary>A partition spec.</summary>
internal sealed record IcebergPartitionSpec(int SpecId, IReadOnlyList<IcebergPartitionField> Fields);
