"""How the Glue job writes a run into the dataset's Iceberg table, and a Hive table in the modes other than append.

The in-process engine (src/Ingest/Engine/Tables/IcebergTable.cs, RunWork.cs) and the job commit to ONE Iceberg table:
the Glue Data Catalog table <database>.<table> at s3://<curated bucket>/<domain>/<name> (data files under data/),
whose metadata pointer both swap optimistically (Iceberg's GlueCatalog and GlueIcebergCatalog.cs both UpdateTable on
the VersionId read with the expected metadata_location). Everything here is text or dictionaries the job hands to
Spark (glue_job.py), so it is tested without Spark:

- ``spark_conf`` / ``conf_argument``: the Spark catalog "glue_catalog" (Iceberg SparkCatalog over GlueCatalog with
  S3FileIO) and the Iceberg SQL extensions, as the job's --conf default argument (modules/glue_job/main.tf);
- ``create_table_sql``, ``add_columns_sql``: the table as the C# engine creates and evolves it (same columns, the
  definition's partition transforms, the same table properties);
- ``snapshot_properties``: the summary properties of a run's snapshot (ingest.run-id, ingest.inputs,
  ingest.definition-version), which recovery looks for;
- ``write_plan``: per write mode, the DataFrameWriterV2 call (append, overwritePartitions) with the properties as
  ``snapshot-property.*`` options, or the MERGE INTO statement (keys from the definition) with them as commit
  properties;
- ``duplicate_key_reason``: the de-duplication of a merge run (RowProcessor.cs): the first accepted row of a key, in
  input order, is kept; every later accepted row of that key is quarantined with the C# engine's reason;
- ``snapshot_written``: the files and bytes a run's snapshot added (its summary), for the run's metrics;
- ``hive_replaced_keys``: for overwrite-partitions on a Hive table, the existing objects of the partitions the run
  wrote, deleted at commit (RunWork.ListExistingAsync).
"""

from . import layout
from .definition import catalog_table, column_type, partition_name
from .expressions import quote_identifier, spark_type, sql_string

CATALOG = "glue_catalog"
RUN_ID_PROPERTY = "ingest.run-id"
INPUTS_PROPERTY = "ingest.inputs"
DEFINITION_VERSION_PROPERTY = "ingest.definition-version"
SNAPSHOT_PROPERTY_OPTION = "snapshot-property."
EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
SOURCE_VIEW = "ingest_run_rows"
# Parquet codec names as Iceberg's writer takes them (write.parquet.compression-codec); the definition says "none".
CODECS = {"snappy": "snappy", "zstd": "zstd", "gzip": "gzip", "none": "uncompressed"}
DUPLICATE_KEY = "within this run; merge keeps one row per key"
TRANSFORMS = {"year": "years", "month": "months", "day": "days"}


def spark_conf(warehouse):
    """The Spark settings of the Iceberg catalog, in order (they must be set before the session starts)."""
    prefix = f"spark.sql.catalog.{CATALOG}"
    return [
        ("spark.sql.extensions", EXTENSIONS),
        (prefix, "org.apache.iceberg.spark.SparkCatalog"),
        (f"{prefix}.catalog-impl", "org.apache.iceberg.aws.glue.GlueCatalog"),
        (f"{prefix}.io-impl", "org.apache.iceberg.aws.s3.S3FileIO"),
        (f"{prefix}.warehouse", warehouse),
    ]


def conf_argument(warehouse):
    """The value of the job's --conf argument: Glue passes one --conf, so the others ride in its value."""
    pairs = spark_conf(warehouse)
    return " --conf ".join(f"{k}={v}" for k, v in pairs)


def table_identifier(definition):
    """glue_catalog.`database`.`table` (names validated by the definition parser, quoted all the same)."""
    database, table = catalog_table(definition)
    return f"{CATALOG}.{quote_identifier(database)}.{quote_identifier(table)}"


def table_name(definition):
    """glue_catalog.database.table unquoted, for spark.catalog.tableExists (the names are identifiers: [a-z0-9_])."""
    database, table = catalog_table(definition)
    return f"{CATALOG}.{database}.{table}"


def table_location(curated_bucket, dataset_id):
    """The table's location as GlueIcebergCatalog.cs registers it: the dataset prefix, no trailing slash."""
    return f"s3://{curated_bucket}/{layout.dataset_prefix(dataset_id).rstrip('/')}"


def partition_transforms(definition):
    """The definition's partitioning as Iceberg transforms, in order (IcebergTable.SpecFor): identity, years, months,
    days; the ingest date is days(_ingested_at)."""
    result = []
    for p in definition["partitioning"]:
        transform = p["transform"]
        if transform == "ingest-date":
            result.append("days(`_ingested_at`)")
        elif transform == "identity":
            result.append(quote_identifier(p["column"]))
        else:
            result.append(f"{TRANSFORMS[transform]}({quote_identifier(p['column'])})")
    return result


def partition_field_names(definition):
    """The partition field names the C# engine gives the spec (the definition's effective names)."""
    return [partition_name(p) for p in definition["partitioning"]]


def table_properties(definition):
    """The table properties IcebergTable.Properties() sets (the codec in Iceberg's spelling)."""
    maintenance = definition["table"]["maintenance"]
    days, keep = maintenance["snapshotRetentionDays"], maintenance["minSnapshotsToKeep"]
    return {
        "format-version": "2",
        "write.format.default": "parquet",
        "write.parquet.compression-codec": CODECS[definition["write"]["compression"]],
        "ingest.dataset": definition["id"],
        "history.expire.max-snapshot-age-ms": str(days * 86_400_000),
        "history.expire.min-snapshots-to-keep": str(keep),
    }


def _column_sql(column):
    not_null = "" if column.get("nullable", True) else " NOT NULL"
    return f"{quote_identifier(column['name'])} {spark_type(column['type'])}{not_null}"


def create_table_sql(definition, location):
    """CREATE TABLE IF NOT EXISTS for a table no engine has created yet (the C# engine's first commit creates it
    the same way); a table that exists is left as it is."""
    columns = ", ".join(_column_sql(c) for c in layout.curated_file_columns(definition))
    transforms = partition_transforms(definition)
    partitioned = f" PARTITIONED BY ({', '.join(transforms)})" if transforms else ""
    properties = ", ".join(f"{sql_string(k)}={sql_string(v)}" for k, v in table_properties(definition).items())
    return (f"CREATE TABLE IF NOT EXISTS {table_identifier(definition)} ({columns}) USING iceberg{partitioned} "
            f"LOCATION {sql_string(location)} TBLPROPERTIES ({properties})")


def add_columns_sql(definition, existing_columns):
    """ALTER TABLE … ADD COLUMNS for definition columns the table lacks (a compatible new definition version; the C#
    engine evolves the schema by name the same way); None when nothing is missing."""
    present = set(existing_columns)
    missing = [c for c in layout.curated_file_columns(definition) if c["name"] not in present]
    if not missing:
        return None
    columns = ", ".join(f"{quote_identifier(c['name'])} {spark_type(c['type'])}" for c in missing)
    return f"ALTER TABLE {table_identifier(definition)} ADD COLUMNS ({columns})"


def snapshot_properties(run_id, definition_version, sources):
    """The summary of a run's snapshot as RunWork.CommitSnapshotAsync writes it: the run id, the SHA-256 of every input
    the run read (not the skipped ones), comma-separated, and the definition version."""
    return {
        RUN_ID_PROPERTY: run_id,
        INPUTS_PROPERTY: ",".join(s["sha256"] for s in sources if not s.get("skipped")),
        DEFINITION_VERSION_PROPERTY: str(definition_version),
    }


def write_options(definition, properties):
    """DataFrameWriterV2 options: every snapshot property as snapshot-property.<name>, and the codec."""
    options = {SNAPSHOT_PROPERTY_OPTION + k: v for k, v in properties.items()}
    options["compression-codec"] = CODECS[definition["write"]["compression"]]
    return options


def merge_sql(definition, source_view=SOURCE_VIEW):
    """MERGE INTO the table USING the run's de-duplicated rows ON the definition's keys: a matched row is replaced by
    the run's row (every column, lineage included), an unmatched one inserted; rows of other keys stay (as
    MergeRewriter keeps them). Keys are non-nullable (the definition requires it), so '=' matches as the C# key does."""
    names = [c["name"] for c in layout.curated_file_columns(definition)]
    keys = definition["keys"]
    if not keys:
        raise ValueError(f"{definition['id']}: merge needs keys ($.keys)")
    on = " AND ".join(f"t.{quote_identifier(k)} = s.{quote_identifier(k)}" for k in keys)
    assignments = ", ".join(f"{quote_identifier(n)} = s.{quote_identifier(n)}" for n in names)
    columns = ", ".join(quote_identifier(n) for n in names)
    values = ", ".join(f"s.{quote_identifier(n)}" for n in names)
    return (f"MERGE INTO {table_identifier(definition)} t USING {quote_identifier(source_view)} s ON {on} "
            f"WHEN MATCHED THEN UPDATE SET {assignments} "
            f"WHEN NOT MATCHED THEN INSERT ({columns}) VALUES ({values})")


def write_plan(definition, run_id, definition_version, sources):
    """What the job does with the run's accepted rows, per write mode:
    {"method": "append" | "overwritePartitions", "options": {...}} for DataFrameWriterV2, or
    {"method": "merge", "sql": MERGE INTO …, "view": the temporary view of the rows, "commitProperties": {...}}."""
    properties = snapshot_properties(run_id, definition_version, sources)
    mode = definition["write"]["mode"]
    if mode == "append":
        return {"method": "append", "options": write_options(definition, properties)}
    if mode == "overwrite-partitions":
        return {"method": "overwritePartitions", "options": write_options(definition, properties)}
    if mode == "merge":
        return {"method": "merge", "sql": merge_sql(definition), "view": SOURCE_VIEW, "commitProperties": properties}
    raise ValueError(f"{definition['id']}: write.mode {mode} is not a write mode")


def snapshots_sql(definition):
    """The table's snapshots with their summaries (Iceberg's snapshots metadata table), for recovery."""
    return f"SELECT snapshot_id, summary FROM {table_identifier(definition)}.snapshots"


def snapshot_written(summaries, run_id):
    """(files, bytes) the run's snapshot added to the table, from its summary (Iceberg's added-data-files,
    added-delete-files and added-files-size, which counts both kinds): the data files Spark wrote, which the run
    record does not list, for the run's metrics. (0, 0) when no snapshot names the run."""
    for summary in summaries:
        if summary.get(RUN_ID_PROPERTY) == run_id:
            files = int(summary.get("added-data-files", 0)) + int(summary.get("added-delete-files", 0))
            return files, int(summary.get("added-files-size", 0))
    return 0, 0


def has_snapshot_of(summaries, run_id):
    """Whether one of the table's snapshots names the run (IcebergTable.FindRun)."""
    return any(s.get(RUN_ID_PROPERTY) == run_id for s in summaries)


def _key_text(column):
    """The text of a key value in the duplicate-key reason (InvariantValues.Format for these types)."""
    kind = column_type(column["type"])[0]
    name = quote_identifier(column["name"])
    if kind == "date":
        return f"date_format({name}, 'yyyy-MM-dd')"
    return f"CAST({name} AS STRING)"


def duplicate_key_reason(definition, order_by=("_source_file", "_source_line")):
    """A SQL expression for the row's reason in a merge run: the row's reason so far, or — for an accepted row whose
    key an earlier accepted row of the run (input order) already has — the C# engine's duplicate-key reason. Only
    accepted rows claim a key (RowProcessor checks it last), so a rejected row never displaces an accepted one."""
    by_name = {c["name"]: c for c in definition["columns"]}
    keys = [quote_identifier(k) for k in definition["keys"]]
    rank = (f"row_number() OVER (PARTITION BY `_reason` IS NULL, {', '.join(keys)} "
            f"ORDER BY {', '.join(quote_identifier(o) for o in order_by)})")
    values = ", ".join(_key_text(by_name[k]) for k in definition["keys"])
    reason = f"concat('duplicate key (', concat_ws(', ', {values}), ') {DUPLICATE_KEY}')"
    return f"CASE WHEN `_reason` IS NULL AND {rank} > 1 THEN {reason} ELSE `_reason` END"


def hive_replaced_keys(definition, existing_keys, partitions, rows_written):
    """overwrite-partitions on a Hive table: the curated objects under each partition path the run wrote (the whole
    dataset when it has no partitioning and wrote rows), listed before the run's files are promoted; the commit
    deletes them after the ledger. A run that wrote no rows replaces nothing."""
    prefix = layout.dataset_prefix(definition["id"])
    if not rows_written:
        return []
    written = list(partitions) if definition["partitioning"] else [""]
    return sorted(k for k in existing_keys if any(k.startswith(prefix + p) for p in written))
