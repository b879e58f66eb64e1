namespace Ingest.Definitions.Inference;

/// <summary>A column of a source whose rows arrive as values (a database table), for <see cref="DefinitionInference.InferFromValuesAsync"/>.</summary>
/// <param name="Name">The column's name in the source.</param>
/// <param name="DeclaredType">The type the source declares for it, when it maps to one (a database column type); <see langword="null"/> decides from the values.</param>
/// <param name="DeclaredTypeName">The source's own name of the type, for the report (<c>numeric(12,2)</c>, <c>TEXT</c>).</param>
/// <param name="AllowsNull">Whether the source allows nulls in it, when it says (<c>NOT NULL</c>).</param>
public sealed record InferenceField(string Name, ColumnType? DeclaredType, string? DeclaredTypeName, bool? AllowsNull);
