"""Object keys, partition values and file columns, as src/Ingest/Storage/DatasetLayout.cs and
src/Ingest/Engine/Writing/Partitioner.cs define them.

- curated:    {domain}/{name}/{partition}=value/.../part-{runId}-{nnnnn}.parquet
- quarantine: {domain}/{name}/ingest_date=yyyy-MM-dd/rejects-{runId}-{nnnnn}.parquet
- raw:        {domain}/{name}/ingest_date=yyyy-MM-dd/{sha256}/{file name}
- staging:    _staging/{domain}/{name}/{runId}/... in each zone; the manifest is _commit.json there.
"""

import datetime
import re

from .definition import column_type, partition_name

STAGING_ROOT = "_staging"
FAILED_RUNS_ROOT = "_failed_runs"  # DatasetLayout.FailedRunsRoot
MANIFEST = "_commit.json"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
LANDING_ROOT = "_landing"

LINEAGE_COLUMNS = [
    {"name": "_ingest_run_id", "type": "string", "nullable": False},
    {"name": "_source_file", "type": "string", "nullable": False},
    {"name": "_source_line", "type": "int64", "nullable": False},
    {"name": "_ingested_at", "type": "timestamp", "nullable": False},
]

QUARANTINE_METADATA_COLUMNS = [
    {"name": "_reason", "type": "string", "nullable": False},
    {"name": "_raw_record", "type": "string", "nullable": True},
    {"name": "_ingest_run_id", "type": "string", "nullable": False},
    {"name": "_source_file", "type": "string", "nullable": False},
    {"name": "_source_line", "type": "int64", "nullable": False},
    {"name": "_ingested_at", "type": "timestamp", "nullable": False},
]


def split_id(dataset_id):
    domain, name = dataset_id.split(".", 1)
    return domain, name


def dataset_prefix(dataset_id):
    domain, name = split_id(dataset_id)
    return f"{domain}/{name}/"


def staging_prefix(dataset_id, run_id):
    domain, name = split_id(dataset_id)
    return f"{STAGING_ROOT}/{domain}/{name}/{run_id}/"


def failed_run_rejects_prefix(dataset_id, run_id):
    """Where a run over its reject budget keeps its rejected rows in the quarantine bucket, apart from every table
    (DatasetLayout.FailedRunRejectsPrefix): _failed_runs/{domain}/{name}/{run id}/."""
    domain, name = split_id(dataset_id)
    return f"{FAILED_RUNS_ROOT}/{domain}/{name}/{run_id}/"


def landing_prefix(dataset_id):
    """Where files wait in the raw bucket for a Glue run (the Glue engine's inbox)."""
    domain, name = split_id(dataset_id)
    return f"{LANDING_ROOT}/{domain}/{name}/"


def safe_file_name(name):
    """The file name kept in raw keys: letters, digits, '.', '-', '_' (others become '_'), at most 120 characters."""
    file = name.replace("\\", "/").rsplit("/", 1)[-1]
    safe = "".join(c if (c.isascii() and c.isalnum()) or c in ".-_" else "_" for c in file).lstrip(".")
    if not safe:
        return "input"
    return safe[-120:] if len(safe) > 120 else safe


def ingest_date_text(ingest_date):
    return ingest_date.strftime("%Y-%m-%d")


def raw_key(dataset_id, ingest_date, run_id, file_name):
    """Where a run keeps an input byte for byte: under the run that read it (the C# engine writes it there in place)."""
    return f"{dataset_prefix(dataset_id)}ingest_date={ingest_date_text(ingest_date)}/{run_id}/{file_name}"


def part_file_name(kind, run_id, sequence):
    """kind is 'part' (curated), 'rejects' (quarantine) or 'merged' (rewrites after merge)."""
    return f"{kind}-{run_id}-{sequence:05d}.parquet"


def quarantine_key(dataset_id, ingest_date, run_id, sequence):
    return f"{dataset_prefix(dataset_id)}ingest_date={ingest_date_text(ingest_date)}/{part_file_name('rejects', run_id, sequence)}"


def curated_key(dataset_id, partition_path, run_id, sequence):
    return f"{dataset_prefix(dataset_id)}{partition_path}{part_file_name('part', run_id, sequence)}"


# The characters Hive and Spark percent-encode in a partition folder value (FileUtils.escapePathName,
# ExternalCatalogUtils.escapePathName); src/Ingest/Engine/Writing/HivePartitionValue.cs encodes the same.
_RESERVED = frozenset([chr(c) for c in range(1, 32)] + list("\"#%'*/:=?\\\x7f{[]^"))
MAX_ENCODED_BYTES = 512


def encode_partition_value(text):
    """The folder form of a partition value, or raises ValueError with the reason it has none."""
    if text == "":
        raise ValueError("an empty text reads back as null in a Hive layout")
    if text == NULL_PARTITION:
        raise ValueError(f"it is the folder name of null values ({NULL_PARTITION})")
    if "\x00" in text:
        raise ValueError("it holds a NUL character")
    encoded = "".join(f"%{ord(c):02X}" if c in _RESERVED else c for c in text)
    try:
        size = len(encoded.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValueError("it holds an unpaired UTF-16 surrogate, which has no UTF-8 form") from None
    if size > MAX_ENCODED_BYTES:
        raise ValueError(f"its folder form is longer than {MAX_ENCODED_BYTES} bytes")
    return encoded


def decode_partition_value(folder_value):
    """The value a folder form stands for: every %XX decoded, as Hive's unescapePathName does."""
    if "%" not in folder_value:
        return folder_value
    out, i = [], 0
    while i < len(folder_value):
        c = folder_value[i]
        if c == "%" and i + 3 <= len(folder_value) and all(h in "0123456789abcdefABCDEF" for h in folder_value[i + 1:i + 3]):
            out.append(chr(int(folder_value[i + 1:i + 3], 16)))
            i += 3
        else:
            out.append(c)
            i += 1
    return "".join(out)


def partition_values(path):
    """The decoded values of a partition path 'a=1/b=x%2Fy/', in folder order."""
    return [decode_partition_value(segment.split("=", 1)[1]) for segment in path.strip("/").split("/")]


def format_value(value):
    """The invariant text form of a typed value (InvariantValues.Format)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        utc = value.astimezone(datetime.timezone.utc) if value.tzinfo else value
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def partition_value(value, transform):
    """Folder value of a partition level (None for a null value)."""
    if value is None:
        return None
    if transform in ("day", "month", "year") and isinstance(value, (datetime.date, datetime.datetime)):
        if isinstance(value, datetime.datetime) and value.tzinfo:
            value = value.astimezone(datetime.timezone.utc)
        return value.strftime({"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[transform])
    return format_value(value)


def partition_path(definition, row, ingest_date):
    """The row's partition path ('name=value/...'), or raises ValueError with the C# engine's reason."""
    parts = []
    for partition in definition["partitioning"]:
        name = partition_name(partition)
        transform = partition["transform"]
        if transform == "ingest-date":
            text = ingest_date_text(ingest_date)
        else:
            text = partition_value(row.get(partition["column"]), transform)
        if text is None:
            text = NULL_PARTITION
        else:
            problem = partition_problem([name], [text])
            if problem:
                raise ValueError(problem)
            text = encode_partition_value(text)
        parts.append(f"{name}={text}/")
    return "".join(parts)


def partition_problem(names, texts):
    """The C# engine's quarantine reason for the first partition value (folder text, None for null) that cannot be a
    folder name, or None. The Glue job runs it on every row (a Spark UDF over partition_spark_expression)."""
    for name, text in zip(names, texts):
        if text is None:
            continue
        try:
            encode_partition_value(text)
        except ValueError as problem:
            return f"{name}: partition value \"{text}\" cannot be a folder name: {problem}"
    return None


def partition_spark_expression(partition):
    """Spark SQL expression of a partition column's folder value (the Glue job adds it before writing)."""
    transform = partition["transform"]
    if transform == "ingest-date":
        return "date_format(`_ingested_at`, 'yyyy-MM-dd')"
    col = "`" + partition["column"] + "`"
    pattern = {"day": "yyyy-MM-dd", "month": "yyyy-MM", "year": "yyyy"}.get(transform)
    return f"date_format({col}, '{pattern}')" if pattern else f"CAST({col} AS STRING)"


def curated_file_columns(definition):
    """Columns inside curated Parquet files: the schema (for a Hive table minus identity partition columns), then
    lineage (DatasetLayout.CuratedFileColumns)."""
    if definition["table"]["format"] == "iceberg":
        return list(definition["columns"]) + LINEAGE_COLUMNS
    moved = {p["column"] for p in definition["partitioning"] if p["transform"] == "identity"}
    return [c for c in definition["columns"] if c["name"] not in moved] + LINEAGE_COLUMNS


def partition_columns(definition):
    """Partition keys in folder order with their catalog types."""
    by_name = {c["name"]: c for c in definition["columns"]}
    result = []
    for p in definition["partitioning"]:
        transform = p["transform"]
        if transform == "identity":
            kind = by_name[p["column"]]["type"]
        else:
            kind = {"year": "int32", "month": "string", "day": "date", "ingest-date": "date"}[transform]
        result.append({"name": partition_name(p), "type": kind, "nullable": False})
    return result


def quarantine_file_columns(definition):
    return [{"name": c["name"], "type": "string", "nullable": True} for c in definition["columns"]] + QUARANTINE_METADATA_COLUMNS


def glue_type(type_text):
    """Glue catalog (Hive) type of a column type."""
    parsed = column_type(type_text)
    if parsed[0] == "decimal":
        return f"decimal({parsed[1]},{parsed[2]})"
    return {"string": "string", "boolean": "boolean", "int32": "int", "int64": "bigint", "float": "float",
            "double": "double", "date": "date", "timestamp": "timestamp"}[parsed[0]]


RUN_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$")


def is_run_id(text):
    return bool(RUN_ID.match(text or ""))


def table_parameters(definition, version, fingerprint, location):
    """The Glue table's parameters as src/Ingest.Aws/Glue/GlueTables.cs builds them, partition projection included
    (without it a projection dataset's Glue-written table would show Athena no partitions)."""
    parameters = {
        "EXTERNAL": "TRUE",
        "classification": "parquet",
        "parquet.compression": definition["write"]["compression"].upper(),
        "ingest.dataset": definition["id"],
        "ingest.definition_version": str(version),
        "ingest.fingerprint": fingerprint or "",
    }
    if definition["catalog"]["partitionStrategy"] != "projection" or not definition["partitioning"]:
        return parameters
    location = location if location.endswith("/") else location + "/"
    by_name = {c["name"]: c for c in definition["columns"]}
    parameters["projection.enabled"] = "true"
    template = location

    def date(prefix, pattern, span, unit):
        parameters.update({prefix + "type": "date", prefix + "format": pattern, prefix + "range": span,
                           prefix + "interval": "1", prefix + "interval.unit": unit})

    for field in definition["partitioning"]:
        name = partition_name(field)
        prefix = f"projection.{name}."
        template += f"{name}=${{{name}}}/"
        transform = field["transform"]
        kind = column_type(by_name[field["column"]]["type"])[0] if transform == "identity" else None
        if transform in ("day", "ingest-date") or kind == "date":
            date(prefix, "yyyy-MM-dd", "2000-01-01,NOW", "DAYS")
        elif transform == "month":
            date(prefix, "yyyy-MM", "2000-01,NOW", "MONTHS")
        elif transform == "year":
            parameters[prefix + "type"] = "integer"
            parameters[prefix + "range"] = "2000,2100"
        else:
            parameters[prefix + "type"] = "injected"  # identity values are unknown in advance: queries name them
    parameters["storage.location.template"] = template
    return parameters


def parquet_writer_options(definition):
    """Spark Parquet writer options from the definition: its compression and its row group size (parquet.block.size)."""
    compression = definition["write"]["compression"]
    return {
        "compression": "uncompressed" if compression == "none" else compression,
        "parquet.block.size": str(definition["write"]["rowGroupSizeMb"] * 1024 * 1024),
    }
