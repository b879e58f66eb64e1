namespace Ingest.Extensibility;

/// <summary>The diagnostic that marks the experimental API of the <c>Ingest.Extensibility</c> namespace.</summary>
internal static class ExtensibilityDiagnostics
{
    /// <summary>
    /// The id the compiler reports where code uses a type of this namespace. Suppress it (<c>&lt;NoWarn&gt;INGEST0001&lt;/NoWarn&gt;</c>)
    /// to accept that the types may change in a minor version.
    /// </summary>
    public const string Id = "INGEST0001";

    /// <summary>Where the diagnostic is explained.</summary>
    public const string UrlFormat = "https://github.com/ingest-dotnet/ingest/blob/main/docs/extensibility.md#ingest0001";
}
