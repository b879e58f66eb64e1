"""Glue ingest job: one run of one dataset, driven by the metadata table in DynamoDB.

Started by the state machine (terraform/step_functions/ingest.asl.json), which has already taken the dataset's
lease for --run_id. The job:
  1. reads the registered definition (DEF#<version> of --dataset): source settings, typed schema, quality rules,
     partitioning, catalog names, and adopts the lease with a real expiry, renewing it while it works;
  2. records RUN#<run id> as running;
  3. lists the dataset's landing folder in the raw bucket (_landing/<domain>/<name>/), fingerprints each file
     (SHA-256), skips those with a SOURCE#<sha256> item, and stages the rest in the raw layout;
  4. reads them with Spark as text, converts every column to its type and checks the rules in SQL built by
     ingest_core.expressions; rejected rows (with the reason) go to quarantine, typed rows to curated Parquet in
     Hive-style partitions with the lineage columns (the same layout as the C# engine: ingest_core.layout);
  5. checks the reject budget, writes the commit manifest, promotes the staged objects, registers the Glue
     table and partitions, and commits the run in one DynamoDB transaction (lease still ours, run still running,
     new fingerprints once); the landing files are deleted last.
A failure records the run as failed (the state machine publishes it) and re-raises so the job run fails.

The logic that needs neither Spark nor AWS lives in ingest_core (shipped as dependencies.zip) and is unit-tested.
"""

import datetime
import hashlib
import json
import socket
import sys
import threading

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from ingest_core import definition as definitions
from ingest_core import expressions, layout, ledger

ARGS = getResolvedOptions(sys.argv, [
    "JOB_NAME", "dataset", "run_id", "definition_version", "started_at", "metadata_table",
    "raw_bucket", "curated_bucket", "quarantine_bucket", "metric_namespace", "lease_seconds",
])

sc = SparkContext.getOrCreate()
glue_context = GlueContext(sc)
spark = glue_context.spark_session
spark.conf.set("spark.sql.session.timeZone", "UTC")
spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
job = Job(glue_context)
job.init(ARGS["JOB_NAME"], ARGS)

dynamodb = boto3.client("dynamodb")
s3 = boto3.client("s3")
glue = boto3.client("glue")
cloudwatch = boto3.client("cloudwatch")

TABLE = ARGS["metadata_table"]
DATASET = ARGS["dataset"]
RUN_ID = ARGS["run_id"]
BUCKETS = {"raw": ARGS["raw_bucket"], "curated": ARGS["curated_bucket"], "quarantine": ARGS["quarantine_bucket"]}
LEASE_SECONDS = int(ARGS["lease_seconds"])
HOST = f"glue:{ARGS.get('JOB_RUN_ID', socket.gethostname())}"


def now():
    return datetime.datetime.now(datetime.timezone.utc)


class LeaseKeeper(threading.Thread):
    """Renews the lease every third of its duration; a failed renewal means another run took over."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.lost = threading.Event()

    def renew(self):
        dynamodb.update_item(**ledger.adopt_lease_request(TABLE, DATASET, RUN_ID, HOST, now(), LEASE_SECONDS))

    def run(self):
        while not self.stop.wait(LEASE_SECONDS / 3):
            try:
                self.renew()
            except dynamodb.exceptions.ConditionalCheckFailedException:
                self.lost.set()
                return


def put_metrics(run):
    dims = [{"Name": "Engine", "Value": "glue"}]
    data = [
        {"MetricName": name, "Dimensions": dims, "Value": float(value), "Unit": "Count"}
        for name, value in (("RowsRead", run["rowsRead"]), ("RowsWritten", run["rowsWritten"]), ("RowsRejected", run["rowsRejected"]),
                            ("RunsFailed", 1 if run["status"] == "failed" else 0))
    ]
    cloudwatch.put_metric_data(Namespace=ARGS["metric_namespace"], MetricData=data)


def list_keys(bucket, prefix):
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            yield obj["Key"], obj["Size"]


def fingerprint(bucket, key):
    digest = hashlib.sha256()
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    for chunk in iter(lambda: body.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def read_text_frame(d, paths):
    """Reads the inputs with every column as text, plus _source_file and _source_line."""
    source = d["source"]
    names = [expressions.source_name(c) for c in d["columns"]]
    if source["format"] == "csv":
        csv = source["csv"]
        header_names = csv["columns"] or (None if csv["header"] else names)
        reader = (spark.read.option("header", str(csv["header"]).lower())
                  .option("sep", "\t" if csv["delimiter"] == "\\t" else csv["delimiter"])
                  .option("quote", csv["quote"]).option("escape", csv["quote"])
                  .option("multiLine", "true").option("mode", "PERMISSIVE")
                  .option("encoding", definitions.ENCODINGS[source["encoding"].lower()])
                  .option("nullValue", "\u0000never\u0000").option("emptyValue", ""))
        if header_names:
            reader = reader.schema(", ".join(f"{expressions.quote_identifier(n)} STRING" for n in header_names))
        else:
            reader = reader.option("inferSchema", "false")
        frame = reader.csv(paths)
    elif source["format"] == "json-lines":
        frame = spark.read.option("primitivesAsString", "true").option("encoding", definitions.ENCODINGS[source["encoding"].lower()]).json(paths)
        for name in names:
            if name not in frame.columns:
                frame = frame.withColumn(name, F.lit(None).cast("string"))
    else:
        frame = spark.read.parquet(*paths)
        frame = frame.select([F.col(expressions.quote_identifier(n)).cast("string").alias(n) for n in names])
    # Record number within its file (the C# engine reports physical lines for CSV; see docs/aws-architecture.md).
    frame = frame.withColumn("_source_file", F.element_at(F.split(F.input_file_name(), "/"), -1))
    frame = frame.withColumn("_row", F.monotonically_increasing_id())
    line = F.row_number().over(Window.partitionBy("_source_file").orderBy("_row")).cast("bigint")
    return frame.withColumn("_source_line", line).drop("_row")


def convert_and_check(d, text):
    """Typed rows and rejected rows (source text + _reason), following the definition."""
    source = d["source"]
    text_cols = {c["name"]: f"_src_{i}" for i, c in enumerate(d["columns"])}
    staged = text.select(
        *[F.col(expressions.quote_identifier(expressions.source_name(c))).alias(text_cols[c["name"]]) for c in d["columns"]],
        "_source_file", "_source_line")
    typed = staged.selectExpr("*", *[expressions.cast_expression(c, source, text_cols[c["name"]]) for c in d["columns"]])
    errors = [expressions.conversion_error(c, source, text_cols[c["name"]]) for c in d["columns"]]
    reason = f"coalesce({', '.join(errors)})"
    checks = []
    for rule in d["quality"]["rules"]:
        condition, why = expressions.unique_check(rule) if rule["type"] == "unique" else expressions.rule_check(rule, d)
        checks.append((rule, condition, why))
    # The first failing check is the reason (conversion first, then rules in order), as in the C# engine.
    if checks:
        reason = f"coalesce({reason}, {', '.join(f'CASE WHEN {c} THEN {w} END' for _, c, w in checks)})"
    checked = typed.selectExpr("*", f"{reason} AS _reason")
    fail_rules = [(r, c) for r, c, _ in checks if r["action"] == "fail"]
    for rule, condition in fail_rules:
        if checked.where(condition).limit(1).count() > 0:
            raise RuntimeError(f"{definitions.rule_display_name(rule)}: a row breaks a rule whose action is fail; nothing was published")
    return checked, text_cols


def write_zone(frame, zone, prefix, partition_names, compression):
    writer = frame.write.mode("append").option("compression", compression if compression != "none" else "uncompressed")
    if partition_names:
        writer = writer.partitionBy(*partition_names)
    writer.parquet(f"s3://{BUCKETS[zone]}/{prefix}")


def promotions(zone, staging, final_prefix, kind):
    """Staged Spark part files → final keys named like the C# engine's (<kind>-<run id>-<nnnnn>.parquet)."""
    moves = []
    for i, (key, _) in enumerate(sorted(k for k in list_keys(BUCKETS[zone], staging) if k[0].endswith(".parquet"))):
        relative = key[len(staging):]
        folder = relative.rsplit("/", 1)[0] + "/" if "/" in relative else ""
        moves.append({"zone": zone, "from": key, "to": final_prefix + folder + layout.part_file_name(kind, RUN_ID, i)})
    return moves


def ensure_catalog_table(d):
    database, table = definitions.catalog_table(d)
    columns = [{"Name": c["name"], "Type": layout.glue_type(c["type"]), "Comment": c.get("description", "")[:255]}
               for c in layout.curated_file_columns(d)]
    keys = [{"Name": p["name"], "Type": layout.glue_type(p["type"])} for p in layout.partition_columns(d)]
    table_input = {
        "Name": table, "Description": (d.get("description") or "")[:2048], "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "ingest.dataset": d["id"]},
        "PartitionKeys": keys,
        "StorageDescriptor": {
            "Columns": columns, "Location": f"s3://{BUCKETS['curated']}/{layout.dataset_prefix(d['id'])}",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        },
    }
    try:
        glue.update_table(DatabaseName=database, TableInput=table_input)
    except glue.exceptions.EntityNotFoundException:
        glue.create_table(DatabaseName=database, TableInput=table_input)
    return database, table, table_input["StorageDescriptor"]


def register_partitions(d, database, table, storage, partitions):
    if d["catalog"]["partitionStrategy"] != "register" or not partitions:
        return
    inputs = []
    for path in partitions:
        values = [segment.split("=", 1)[1] for segment in path.strip("/").split("/")]
        inputs.append({"Values": values, "StorageDescriptor": dict(storage, Location=storage["Location"] + path)})
    for i in range(0, len(inputs), 100):
        glue.batch_create_partition(DatabaseName=database, TableName=table, PartitionInputList=inputs[i:i + 100])


def main():
    started = datetime.datetime.fromisoformat(ARGS["started_at"].replace("Z", "+00:00"))
    ingest_date = started.date()
    item = dynamodb.get_item(**ledger.get_definition_request(TABLE, DATASET, int(ARGS["definition_version"]))).get("Item")
    version, d, _ = ledger.read_registered(item, f"{ledger.dataset_pk(DATASET)}/{ledger.definition_sk(int(ARGS['definition_version']))}")

    keeper = LeaseKeeper()
    keeper.renew()  # replaces the state machine's open-ended lease with a real expiry
    keeper.start()
    run = ledger.new_run(RUN_ID, DATASET, version, started)
    dynamodb.put_item(**ledger.start_run_request(TABLE, run))
    try:
        if d["write"]["mode"] != "append":
            # overwrite-partitions and merge rewrite existing files: the C# engine's today (docs/aws-architecture.md).
            raise RuntimeError(f"write.mode {d['write']['mode']} is not supported by the Glue engine yet; nothing was read")

        # 1. Inputs: fingerprint, skip what was ingested before, stage the rest in the raw layout.
        staging = layout.staging_prefix(DATASET, RUN_ID)
        sources, raw_moves, paths, landed = [], [], [], []
        seen = set()
        for key, size in list_keys(BUCKETS["raw"], layout.landing_prefix(DATASET)):
            landed.append(key)
            sha = fingerprint(BUCKETS["raw"], key)
            name = key.rsplit("/", 1)[-1]
            final_key = layout.raw_key(DATASET, ingest_date, sha, name)
            previous = dynamodb.get_item(**ledger.find_source_request(TABLE, DATASET, sha)).get("Item")
            if previous or sha in seen:
                by = json.loads(previous["body"]["S"])["runId"] if previous else RUN_ID
                sources.append(ledger.source_fingerprint(sha, name, size, json.loads(previous["body"]["S"])["rawKey"] if previous else final_key, by, skipped=True))
                continue
            seen.add(sha)
            staged_key = f"{staging}raw/{len(paths):04d}-{layout.safe_file_name(name)}"
            s3.copy_object(Bucket=BUCKETS["raw"], Key=staged_key, CopySource={"Bucket": BUCKETS["raw"], "Key": key})
            raw_moves.append({"zone": "raw", "from": staged_key, "to": final_key})
            sources.append(ledger.source_fingerprint(sha, name, size, final_key, RUN_ID))
            paths.append(f"s3://{BUCKETS['raw']}/{staged_key}")

        if not paths:
            final = ledger.transition(run, "skipped", now(), sources=sources)
            dynamodb.transact_write_items(**ledger.commit_transaction(TABLE, final))
            put_metrics(final)
            return

        # 2. Convert and check.
        checked, text_cols = convert_and_check(d, read_text_frame(d, paths))
        checked = checked.withColumn("_ingest_run_id", F.lit(RUN_ID)).withColumn("_ingested_at", F.lit(started).cast("timestamp")).cache()
        rows_read = checked.count()
        rejected = checked.where("_reason IS NOT NULL")
        accepted = checked.where("_reason IS NULL")
        rows_rejected = rejected.count()
        rows_written = rows_read - rows_rejected
        if rows_read and rows_rejected / rows_read > d["quality"]["maxRejectRatio"]:
            raise RuntimeError(f"{rows_rejected} of {rows_read} rows rejected, above maxRejectRatio {d['quality']['maxRejectRatio']}; nothing was published")

        # 3. Stage curated and quarantine files.
        partition_names = [definitions.partition_name(p) for p in d["partitioning"]]
        curated = accepted.selectExpr(
            *[expressions.quote_identifier(c["name"]) for c in layout.curated_file_columns(d)],
            *[f"{layout.partition_spark_expression(p)} AS {expressions.quote_identifier(definitions.partition_name(p))}" for p in d["partitioning"]])
        for name in partition_names:
            curated = curated.withColumn(name, F.coalesce(F.col(name), F.lit(layout.NULL_PARTITION)))
        write_zone(curated, "curated", staging + "curated/", partition_names, d["write"]["compression"])
        quarantine = rejected.select(
            *[F.col(text_cols[c["name"]]).alias(c["name"]) for c in d["columns"]],
            "_reason", F.lit(None).cast("string").alias("_raw_record"), "_ingest_run_id", "_source_file", "_source_line", "_ingested_at")
        if rows_rejected:
            write_zone(quarantine, "quarantine", staging + "quarantine/", [], d["write"]["compression"])

        moves = raw_moves
        moves += promotions("curated", staging + "curated/", layout.dataset_prefix(DATASET), "part")
        moves += promotions("quarantine", staging + "quarantine/", f"{layout.dataset_prefix(DATASET)}ingest_date={layout.ingest_date_text(ingest_date)}/", "rejects")
        partitions = sorted({m["to"][len(layout.dataset_prefix(DATASET)):].rsplit("/", 1)[0] + "/" for m in moves if m["zone"] == "curated" and partition_names})
        final = ledger.transition(run, "succeeded", now(), rowsRead=rows_read, rowsWritten=rows_written, rowsRejected=rows_rejected,
                                  filesWritten=[f"{m['zone']}/{m['to']}" for m in moves if m["zone"] != "raw"],
                                  partitionsWritten=partitions, sources=sources)

        # 4. Commit: manifest (the commit point), promotions, catalog, ledger.
        if keeper.lost.is_set():
            raise RuntimeError(f"Run {RUN_ID} of {DATASET} lost its lease; nothing was published")
        manifest = {"runId": RUN_ID, "promotions": moves, "deletions": [], "run": final}
        s3.put_object(Bucket=BUCKETS["curated"], Key=staging + layout.MANIFEST, Body=json.dumps(manifest).encode("utf-8"))
        for move in moves:
            bucket = BUCKETS[move["zone"]]
            s3.copy_object(Bucket=bucket, Key=move["to"], CopySource={"Bucket": bucket, "Key": move["from"]})
            s3.delete_object(Bucket=bucket, Key=move["from"])
        database, table, storage = ensure_catalog_table(d)
        register_partitions(d, database, table, storage, partitions)
        dynamodb.transact_write_items(**ledger.commit_transaction(TABLE, final))
        s3.delete_object(Bucket=BUCKETS["curated"], Key=staging + layout.MANIFEST)
        for key in landed:
            s3.delete_object(Bucket=BUCKETS["raw"], Key=key)
        put_metrics(final)
    except Exception as error:
        failed = ledger.transition(run, "failed", now(), error=f"{type(error).__name__}: {error}"[:4000])
        try:
            dynamodb.update_item(**ledger.fail_run_request(TABLE, failed))
            put_metrics(failed)
        except Exception:  # noqa: BLE001 - the state machine records the failure when this cannot
            pass
        raise
    finally:
        keeper.stop.set()


main()
job.commit()
