using Ingest.Catalog;
using Ingest.Ledger;
using Ingest.Registry;
using Ingest.Storage;

namespace Ingest;

/// <summary>
/// The backends a pipeline runs against: where the lake is, where definitions and runs are kept, and
/// (optionally) the catalog kept in step with them and the query engine over it.
/// </summary>
public sealed record IngestBackends
{
    /// <summary>Gets the lake storage.</summary>
    public required ILakeStorage Lake { get; init; }

    /// <summary>Gets the schema registry.</summary>
    public required ISchemaRegistry Registry { get; init; }

    /// <summary>Gets the run ledger.</summary>
    public required IRunLedger Ledger { get; init; }

    /// <summary>
    /// Gets the Iceberg catalog that records each Iceberg table's current metadata file; required to run a dataset
    /// whose <see cref="Definitions.TableFormat"/> is <see cref="Definitions.TableFormat.Iceberg"/>.
    /// </summary>
    public IIcebergCatalog? IcebergCatalog { get; init; }

    /// <summary>Gets the catalog, if any.</summary>
    public ICatalog? Catalog { get; init; }

    /// <summary>Gets the query engine, if any.</summary>
    public IQueryEngine? Query { get; init; }
}
