namespace Ingest.Sources;

/// <summary>
/// Implemented (optionally) by the reader of a custom format whose <c>source.options</c> can be wrong in ways the options
/// type alone does not catch (a width of 0, a field named twice, a missing member). When a definition is checked against the
/// host's registrations — <see cref="Definitions.DatasetDefinitionSerializer.Deserialize(string, IngestExtensions, string)"/>,
/// <see cref="Definitions.DatasetDefinitionSerializer.EnsureValid(Definitions.DatasetDefinition, IngestExtensions, string)"/>,
/// <see cref="Registry.ISchemaRegistry.RegisterAsync(Definitions.DatasetDefinition, IngestExtensions, CancellationToken)"/> —
/// the registered factory creates a reader over a context without an input (<see cref="SourceReaderContext.IsValidation"/>;
/// its <c>OpenAsync</c> throws), and each problem it returns is one line at <c>$.source.options.&lt;member&gt;</c>, so a
/// definition with bad options is refused before it is stored, not at its first run.
/// </summary>
/// <remarks>
/// A reader that does not implement this interface is still created once then: an <see cref="ArgumentException"/> (or
/// <see cref="FormatException"/>) from its constructor, such as <see cref="SourceReaderContext.GetOptions{T}"/> refusing a
/// member, is reported at <c>$.source.options</c>.
/// </remarks>
public interface ISourceOptionsValidator
{
    /// <summary>Checks the definition's <c>source.options</c> (and any other source setting the format needs).</summary>
    /// <returns>The problems, none when the options are valid.</returns>
    IEnumerable<SourceOptionsProblem> ValidateOptions();
}

/// <summary>One problem of a custom format's <c>source.options</c>.</summary>
/// <param name="Member">The member under <c>source.options</c>, as a path (<c>fields</c>, <c>fields[1].width</c>).</param>
/// <param name="Value">The value found, as the definition has it (JSON text such as <c>0</c> or <c>"eight"</c>), or <see langword="null"/> when the member is missing.</param>
/// <param name="Expected">What is expected, completing "expected …" (<c>a width of 1 or more</c>).</param>
public sealed record SourceOptionsProblem(string Member, string? Value, string Expected)
{
    /// <inheritdoc />
    public override string ToString() => $"{Value ?? "missing"}, expected {Expected}";
}
