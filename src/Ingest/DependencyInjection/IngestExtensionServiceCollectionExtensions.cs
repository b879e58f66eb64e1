using Ingest;
using Ingest.Definitions;
using Ingest.Quality;
using Ingest.Sources;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers custom quality rules and source formats by name. The container's <see cref="IngestExtensions"/> holds them all;
/// <see cref="IIngestPipelineFactory"/> hands it to every pipeline, and hosts check definitions against it
/// (<see cref="DatasetDefinitionSerializer.Deserialize(string, IngestExtensions, string)"/>).
/// </summary>
public static class IngestExtensionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TRule"/> as the custom rule type <paramref name="name"/>, created for each use (each
    /// definition entry, once per run) by <see cref="ActivatorUtilities"/>: its constructor may take a
    /// <see cref="QualityRuleContext"/> and services of the container.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not lower-case kebab-case, or is a built-in type.</exception>
    public static IServiceCollection AddIngestRule<TRule>(this IServiceCollection services, string name)
        where TRule : class, IQualityRule
        => services.AddIngestRule(name, (provider, context) => ActivatorUtilities.CreateInstance<TRule>(provider, context));

    /// <summary>Registers the custom rule type <paramref name="name"/>, created for each use by <paramref name="create"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not lower-case kebab-case, or is a built-in type.</exception>
    public static IServiceCollection AddIngestRule(this IServiceCollection services, string name, Func<IServiceProvider, QualityRuleContext, IQualityRule> create)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(create);
        if (new QualityRuleType(name).IsBuiltIn)
        {
            throw new ArgumentException($"Rule type '{name}' is built in: give the custom rule a name of its own.", nameof(name));
        }

        return services.AddExtension((builder, provider) => builder.AddQualityRule(name, context => create(provider, context)));
    }

    /// <summary>
    /// Registers <typeparamref name="TReader"/> as the reader of the custom source format <paramref name="name"/>, created for
    /// each input of each run by <see cref="ActivatorUtilities"/>: its constructor may take a <see cref="SourceReaderContext"/>
    /// and services of the container.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not lower-case kebab-case, or is a built-in format.</exception>
    public static IServiceCollection AddIngestSourceFormat<TReader>(this IServiceCollection services, string name)
        where TReader : class, ISourceReader
        => services.AddIngestSourceFormat(name, (provider, context) => ActivatorUtilities.CreateInstance<TReader>(provider, context));

    /// <summary>Registers the custom source format <paramref name="name"/>, whose readers <paramref name="create"/> makes.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not lower-case kebab-case, or is a built-in format.</exception>
    public static IServiceCollection AddIngestSourceFormat(this IServiceCollection services, string name, Func<IServiceProvider, SourceReaderContext, ISourceReader> create)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(create);
        if (new SourceFormat(name).IsBuiltIn)
        {
            throw new ArgumentException($"Source format '{name}' is built in: give the custom format a name of its own.", nameof(name));
        }

        return services.AddExtension((builder, provider) => builder.AddSourceFormat(name, context => create(provider, context)));
    }

    /// <summary>Adds the container's <see cref="IngestExtensions"/>, built once from every registration (a name registered twice fails then).</summary>
    internal static IServiceCollection AddIngestExtensions(this IServiceCollection services)
    {
        services.TryAddSingleton(provider =>
        {
            var builder = new IngestExtensionsBuilder();
            foreach (var registration in provider.GetServices<ExtensionRegistration>())
            {
                registration.Apply(builder, provider);
            }

            return builder.Build();
        });
        return services;
    }

    private static IServiceCollection AddExtension(this IServiceCollection services, Action<IngestExtensionsBuilder, IServiceProvider> apply)
    {
        services.AddSingleton(new ExtensionRegistration(apply));
        return services.AddIngestExtensions();
    }

    /// <summary>One <c>AddIngestRule</c> or <c>AddIngestSourceFormat</c> call.</summary>
    internal sealed record ExtensionRegistration(Action<IngestExtensionsBuilder, IServiceProvider> Apply);
}
