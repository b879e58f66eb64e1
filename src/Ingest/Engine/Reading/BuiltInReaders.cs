using Ingest.Definitions;

namespace Ingest.Engine.Reading;

/// <summary>The engine's own readers of the built-in file formats, for which they read text and Parquet without a public seam in between.</summary>
internal static class BuiltInReaders
{
    /// <summary>Returns the reader of a built-in file format, or <see langword="null"/> for any other format (a registered one, or the database).</summary>
    public static ISourceReader? Create(string inputName, SourceDefinition source, IReadOnlyList<string> sourceColumns, Func<CancellationToken, Task<Stream>> open)
        => source.Format == SourceFormat.Csv ? new CsvSourceReader(inputName, source, sourceColumns, open)
            : source.Format == SourceFormat.JsonLines ? new JsonLinesSourceReader(inputName, source, sourceColumns, open)
            : source.Format == SourceFormat.Parquet ? new ParquetSourceReader(inputName, sourceColumns, open)
            : null;
}
