using Ingest.Definitions;
using Ingest.Quality;
using Ingest.Sources;

namespace Ingest;

/// <summary>
/// The custom quality rules and source formats a host registered by name, built by <see cref="IngestExtensionsBuilder"/>
/// (or from the container's <c>AddIngestRule</c> and <c>AddIngestSourceFormat</c> registrations). Definitions are checked
/// against it (<see cref="DatasetDefinitionSerializer.Deserialize(string, IngestExtensions, string)"/>), and a pipeline given
/// it (<c>IngestPipelineBuilder.UseExtensions</c>) runs them. Immutable and thread-safe.
/// </summary>
public sealed class IngestExtensions
{
    private readonly Dictionary<QualityRuleType, Func<QualityRuleContext, IQualityRule>> _rules;
    private readonly Dictionary<SourceFormat, Func<SourceReaderContext, ISourceReader>> _formats;

    internal IngestExtensions(
        Dictionary<QualityRuleType, Func<QualityRuleContext, IQualityRule>> rules,
        Dictionary<SourceFormat, Func<SourceReaderContext, ISourceReader>> formats)
    {
        _rules = rules;
        _formats = formats;
        RuleTypes = [.. QualityRuleType.BuiltIn, .. rules.Keys.OrderBy(k => k.Name, StringComparer.Ordinal)];
        SourceFormats = [.. SourceFormat.BuiltIn, .. formats.Keys.OrderBy(k => k.Name, StringComparer.Ordinal)];
    }

    /// <summary>Gets the extensions of a host that registered none: the built-in rule types and source formats only.</summary>
    public static IngestExtensions None { get; } = new([], []);

    /// <summary>Gets the rule types definitions may use: the built-in ones, then the registered ones by name.</summary>
    public IReadOnlyList<QualityRuleType> RuleTypes { get; }

    /// <summary>Gets the source formats definitions may use: the built-in ones, then the registered ones by name.</summary>
    public IReadOnlyList<SourceFormat> SourceFormats { get; }

    /// <summary>Gets whether <paramref name="type"/> is built in or registered.</summary>
    public bool Supports(QualityRuleType type) => type.IsBuiltIn || _rules.ContainsKey(type);

    /// <summary>Gets whether <paramref name="format"/> is built in or registered.</summary>
    public bool Supports(SourceFormat format) => format.IsBuiltIn || _formats.ContainsKey(format);

    /// <summary>Creates the registered rule of a definition entry (for a run, or to validate the entry).</summary>
    internal IQualityRule CreateRule(QualityRuleContext context)
        => _rules.TryGetValue(context.Rule.Type, out var create)
            ? create(context) ?? throw new InvalidOperationException($"The factory of rule type '{context.Rule.Type}' returned null.")
            : throw new InvalidOperationException($"Rule type '{context.Rule.Type}' is not registered (the definition should have been refused).");

    /// <summary>Creates the registered reader of a custom format for one input.</summary>
    internal ISourceReader? CreateReader(SourceReaderContext context)
        => _formats.TryGetValue(context.Source.Format, out var create)
            ? create(context) ?? throw new InvalidOperationException($"The factory of source format '{context.Source.Format}' returned null.")
            : null;
}

/// <summary>
/// Builds <see cref="IngestExtensions"/>: custom quality rules and source formats by name. Single-use and not thread-safe.
/// </summary>
/// <example>
/// <code>
/// var extensions = new IngestExtensionsBuilder()
///     .AddQualityRule("luhn", context => new LuhnRule(context))
///     .AddSourceFormat("fixed-width", context => new FixedWidthReader(context))
///     .Build();
/// </code>
/// </example>
public sealed class IngestExtensionsBuilder
{
    private readonly Dictionary<QualityRuleType, Func<QualityRuleContext, IQualityRule>> _rules = [];
    private readonly Dictionary<SourceFormat, Func<SourceReaderContext, ISourceReader>> _formats = [];
    private bool _built;

    /// <summary>Registers a custom rule type.</summary>
    /// <param name="name">The rule type definitions name, in lower-case kebab-case (<c>luhn</c>); not a built-in type.</param>
    /// <param name="create">Creates the rule for one definition entry; throw <see cref="ArgumentException"/> for options it cannot take (reported at <c>quality.rules[i].options</c>).</param>
    /// <exception cref="ArgumentException">The name is malformed, built in, or registered already.</exception>
    public IngestExtensionsBuilder AddQualityRule(string name, Func<QualityRuleContext, IQualityRule> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var type = new QualityRuleType(name);
        if (type.IsBuiltIn || !_rules.TryAdd(type, create))
        {
            throw new ArgumentException($"Rule type '{name}' is {(type.IsBuiltIn ? "built in" : "registered already")}: give the custom rule a name of its own.", nameof(name));
        }

        return this;
    }

    /// <summary>Registers a custom source format.</summary>
    /// <param name="name">The format definitions name in <c>source.format</c>, in lower-case kebab-case (<c>fixed-width</c>); not a built-in format.</param>
    /// <param name="create">Creates the reader of one input of one run.</param>
    /// <exception cref="ArgumentException">The name is malformed, built in, or registered already.</exception>
    public IngestExtensionsBuilder AddSourceFormat(string name, Func<SourceReaderContext, ISourceReader> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var format = new SourceFormat(name);
        if (format.IsBuiltIn || !_formats.TryAdd(format, create))
        {
            throw new ArgumentException($"Source format '{name}' is {(format.IsBuiltIn ? "built in" : "registered already")}: give the custom format a name of its own.", nameof(name));
        }

        return this;
    }

    /// <summary>Builds the extensions.</summary>
    /// <exception cref="InvalidOperationException">The builder was used already.</exception>
    public IngestExtensions Build()
    {
        if (_built)
        {
            throw new InvalidOperationException("This IngestExtensionsBuilder has already built its extensions; create a new builder.");
        }

        _built = true;
        return new IngestExtensions(new(_rules), new(_formats));
    }
}
