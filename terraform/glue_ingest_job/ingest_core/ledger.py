"""The metadata table's items as the Glue job reads and writes them.

Item keys, attribute names and formats are those of the C# DynamoDB backends (src/Ingest.Aws/DynamoDb:
DynamoDbSchemaRegistry.cs, DynamoDbRunLedger.cs, DynamoDbTable.cs), so that the in-process engine, the state
machine (IngestStateMachine.cs) and this job share one table:
  pk = DATASET#<id>;
  sk = DEF#<version:06d> and DEF#LATEST: version (N), registeredAt, fingerprint, definition (the canonical JSON;
       definitionGz, gzip bytes, when larger than 350 KB);
  sk = LEASE: runId, host, processId (N), expiresAt (UTC text yyyy-MM-ddTHH:mm:ss.fffZ, which sorts like time and
       like the state machine's $$.State.EnteredTime);
  sk = RUN#<run id>: status, startedAt (N, .NET ticks), body (the RunRecord JSON: camelCase, kebab-case enums);
  sk = SOURCE#<sha256>: runId and body (the SourceFingerprint JSON); it counts only while its run succeeded.
Watermarks live in the run record (watermarks), as the C# ledger keeps them.

Functions here build request dictionaries for the boto3 DynamoDB client (low-level attribute values) and
never call AWS, so they are tested without it.
"""

import datetime
import gzip
import json

from . import definition as definitions

LATEST = "DEF#LATEST"
LEASE = "LEASE"
STATUSES = ("running", "succeeded", "failed", "skipped")
TRANSITIONS = {"running": {"succeeded", "failed", "skipped"}}
# A transaction holds at most 100 items: the lease check and the run leave 98 for fingerprints.
MAX_SOURCES_PER_COMMIT = 98


class LedgerError(RuntimeError):
    """An item is not what the ledger expects."""


def dataset_pk(dataset_id):
    return "DATASET#" + dataset_id


def definition_sk(version):
    return f"DEF#{version:06d}"


def run_sk(run_id):
    return "RUN#" + run_id


def source_sk(sha256):
    return "SOURCE#" + sha256


def timestamp(moment):
    """ISO 8601 with offset, as System.Text.Json writes a UTC DateTimeOffset."""
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds")


def lease_expiry(moment):
    """The lease's expiresAt as the C# ledger writes it: UTC, milliseconds (truncated), fixed width, so text order is time order."""
    utc = moment.astimezone(datetime.timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


_DOTNET_EPOCH = datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc)


def ticks(moment):
    """.NET ticks (100 ns since 0001-01-01 UTC), as DateTimeOffset.UtcTicks: the RUN# item's startedAt."""
    return (moment.astimezone(datetime.timezone.utc) - _DOTNET_EPOCH) // datetime.timedelta(microseconds=1) * 10


def _s(value):
    return {"S": value}


def _body(record):
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def read_registered(item, source="DEF#LATEST"):
    """(version, definition, fingerprint) of a DEF# item as DynamoDbSchemaRegistry writes it (low-level attribute values;
    definitionGz holds gzip bytes, as boto3 returns binary attributes)."""
    if not item or "version" not in item:
        raise LedgerError(f"{source}: no registered definition")
    version = int(item["version"]["N"])
    if "definition" in item:
        text = item["definition"]["S"]
    elif "definitionGz" in item:
        text = gzip.decompress(bytes(item["definitionGz"]["B"])).decode("utf-8")
    else:
        raise LedgerError(f"{source}: the item has no definition attribute; it was not written by Ingest")
    return version, definitions.parse(text, f"registry item {source} v{version}"), item.get("fingerprint", {}).get("S")


def get_definition_request(table, dataset_id, version=None):
    sk = definition_sk(version) if version else LATEST
    return {"TableName": table, "Key": {"pk": _s(dataset_pk(dataset_id)), "sk": _s(sk)}, "ConsistentRead": True}


def new_run(run_id, dataset_id, version, started_at):
    return {
        "runId": run_id,
        "dataset": dataset_id,
        "definitionVersion": version,
        "status": "running",
        "startedAt": timestamp(started_at),
        "rowsRead": 0,
        "rowsWritten": 0,
        "rowsRejected": 0,
        "filesWritten": [],
        "partitionsWritten": [],
        "sources": [],
        "watermarks": {},
    }


def transition(run, status, ended_at, **changes):
    """The run record in its final state; only running → succeeded | failed | skipped is allowed."""
    if status not in TRANSITIONS.get(run["status"], set()):
        raise LedgerError(f"run {run['runId']}: {run['status']} cannot become {status}")
    final = dict(run, status=status, endedAt=timestamp(ended_at), **changes)
    if status == "succeeded" and final["rowsRead"] != final["rowsWritten"] + final["rowsRejected"]:
        raise LedgerError(f"run {run['runId']}: read {final['rowsRead']} != written {final['rowsWritten']} + rejected {final['rowsRejected']}")
    return final


def source_fingerprint(sha256, name, size, raw_key, run_id, skipped=False):
    return {"sha256": sha256, "name": name, "size": size, "rawKey": raw_key, "runId": run_id, "skipped": skipped}


def adopt_lease_request(table, dataset_id, run_id, now, seconds):
    """Sets a real expiry on the lease the state machine took for this run (and renews it later). The other attributes
    stay as the state machine wrote them (host = the execution ARN, which the cleanup of an aborted execution matches)."""
    return {
        "TableName": table,
        "Key": {"pk": _s(dataset_pk(dataset_id)), "sk": _s(LEASE)},
        "UpdateExpression": "SET expiresAt = :expires",
        "ConditionExpression": "runId = :runId",
        "ExpressionAttributeValues": {
            ":expires": _s(lease_expiry(now + datetime.timedelta(seconds=seconds))),
            ":runId": _s(run_id),
        },
    }


def start_run_request(table, run, execution_arn=None):
    """The RUN# item of a run that starts. execution_arn (the job's --execution_arn) is kept in the item's executionArn
    attribute, where the state machine's RecordSuccess state writes it (IngestStateMachine.cs), so a run that fails is
    linked to its execution too."""
    if run["status"] != "running":
        raise LedgerError("a run starts as running")
    item = {
        "pk": _s(dataset_pk(run["dataset"])), "sk": _s(run_sk(run["runId"])), "status": _s("running"),
        "startedAt": {"N": str(ticks(datetime.datetime.fromisoformat(run["startedAt"])))}, "body": _s(_body(run)),
    }
    if execution_arn:
        item["executionArn"] = _s(execution_arn)
    return {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}


def runs_newest_first_request(table, dataset_id):
    """Query for the dataset's RUN# keys and start times (paginate it); ``newest_first`` orders them as the C# ledger does."""
    return {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :run)",
        "ExpressionAttributeValues": {":pk": _s(dataset_pk(dataset_id)), ":run": _s("RUN#")},
        "ProjectionExpression": "sk, startedAt, #status, body",
        "ExpressionAttributeNames": {"#status": "status"},
        "ConsistentRead": True,
        "ScanIndexForward": False,
    }


def newest_first(items):
    """RUN# items newest first by start time, then run id (DynamoDbRunLedger.ListRunsAsync)."""
    return sorted(items, key=lambda i: (int(i.get("startedAt", {}).get("N", "0")), i["sk"]["S"]), reverse=True)


def watermark(items, key):
    """The watermark of a source: the value recorded by the newest succeeded run that recorded one, or None
    (RunLedgerExtensions.GetWatermarkAsync). Failed and running runs never count, so a run that dies re-reads its window."""
    for item in newest_first(items):
        if item.get("status", {}).get("S") != "succeeded":
            continue
        value = json.loads(item["body"]["S"]).get("watermarks", {}).get(key)
        if value is not None:
            return value
    return None


def find_source_request(table, dataset_id, sha256):
    return {"TableName": table, "Key": {"pk": _s(dataset_pk(dataset_id)), "sk": _s(source_sk(sha256))}, "ConsistentRead": True}


def get_run_request(table, dataset_id, run_id):
    return {"TableName": table, "Key": {"pk": _s(dataset_pk(dataset_id)), "sk": _s(run_sk(run_id))}, "ConsistentRead": True}


def source_holder(source_item):
    """The run id that recorded a SOURCE# item (its runId attribute, as the C# ledger writes it)."""
    return source_item["runId"]["S"]


def source_counts(run_item):
    """A SOURCE# item counts only while the run that recorded it succeeded (DynamoDbRunLedger.FindSourceAsync);
    run_item is that run's RUN# item, or None."""
    return bool(run_item) and run_item.get("status", {}).get("S") == "succeeded"


def commit_transaction(table, final_run, orphans=None):
    """TransactItems that record a finished run: the lease must still be ours, the run must still be running,
    and each new input fingerprint is written once (the first run that succeeded with an input stays its record).
    orphans maps sha256 to the run id of a SOURCE# item left by a run that never succeeded: that item is taken over,
    on condition that it still names that run. Watermarks go in the run record (final_run["watermarks"])."""
    if final_run["status"] not in ("succeeded", "skipped", "failed"):
        raise LedgerError("commit needs a final run")
    orphans = orphans or {}
    pk = _s(dataset_pk(final_run["dataset"]))
    items = [
        {"ConditionCheck": {
            "TableName": table,
            "Key": {"pk": pk, "sk": _s(LEASE)},
            "ConditionExpression": "runId = :runId",
            "ExpressionAttributeValues": {":runId": _s(final_run["runId"])},
        }},
        {"Update": {
            "TableName": table,
            "Key": {"pk": pk, "sk": _s(run_sk(final_run["runId"]))},
            "UpdateExpression": "SET #status = :status, body = :body",
            "ConditionExpression": "#status = :running",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":status": _s(final_run["status"]), ":body": _s(_body(final_run)), ":running": _s("running")},
        }},
    ]
    if final_run["status"] == "succeeded":
        fresh = [s for s in final_run["sources"] if not s.get("skipped")]
        if len(fresh) > MAX_SOURCES_PER_COMMIT:
            raise LedgerError(f"a run commits at most {MAX_SOURCES_PER_COMMIT} new inputs; split the landing folder")
        for source in fresh:
            put = {
                "TableName": table,
                "Item": {"pk": pk, "sk": _s(source_sk(source["sha256"])), "runId": _s(final_run["runId"]), "body": _s(_body(source))},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
            if source["sha256"] in orphans:
                put["ConditionExpression"] = "runId = :holder"
                put["ExpressionAttributeValues"] = {":holder": _s(orphans[source["sha256"]])}
            items.append({"Put": put})
    return {"TransactItems": items}


def fail_run_request(table, final_run):
    if final_run["status"] != "failed":
        raise LedgerError("fail_run_request needs a failed run")
    return {
        "TableName": table,
        "Key": {"pk": _s(dataset_pk(final_run["dataset"])), "sk": _s(run_sk(final_run["runId"]))},
        "UpdateExpression": "SET #status = :failed, body = :body",
        "ConditionExpression": "#status = :running",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {":failed": _s("failed"), ":body": _s(_body(final_run)), ":running": _s("running")},
    }


STOPPED_BEFORE_COMMIT = "The run stopped before it committed (process killed or lease lost); nothing of it was published."


def list_runs_request(table, dataset_id):
    """Query for the dataset's RUN# items (paginate it)."""
    return {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :run)",
        "ExpressionAttributeValues": {":pk": _s(dataset_pk(dataset_id)), ":run": _s("RUN#")},
        "ConsistentRead": True,
    }


def recovery_transaction(table, current_run_id, final_run, orphans=None):
    """TransactItems that record a dead run rolled forward from its manifest by the run now holding the lease
    (CommitProtocol.ApplyAsync): the lease must be the current run's; the dead run's item becomes its final record
    unless it already succeeded (the state machine may have marked it failed meanwhile); each of its new fingerprints is
    written unless the run already holds it, or taken over from a run that never succeeded (orphans: sha256 -> holder)."""
    if final_run["status"] != "succeeded":
        raise LedgerError("only a succeeded run is rolled forward")
    orphans = orphans or {}
    pk = _s(dataset_pk(final_run["dataset"]))
    items = [
        {"ConditionCheck": {
            "TableName": table,
            "Key": {"pk": pk, "sk": _s(LEASE)},
            "ConditionExpression": "runId = :runId",
            "ExpressionAttributeValues": {":runId": _s(current_run_id)},
        }},
        {"Put": {
            "TableName": table,
            "Item": {
                "pk": pk, "sk": _s(run_sk(final_run["runId"])), "status": _s("succeeded"),
                "startedAt": {"N": str(ticks(datetime.datetime.fromisoformat(final_run["startedAt"])))}, "body": _s(_body(final_run)),
            },
            "ConditionExpression": "attribute_not_exists(pk) OR #status <> :succeeded",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":succeeded": _s("succeeded")},
        }},
    ]
    fresh = [s for s in final_run["sources"] if not s.get("skipped")]
    if len(fresh) > MAX_SOURCES_PER_COMMIT:
        raise LedgerError(f"a run commits at most {MAX_SOURCES_PER_COMMIT} new inputs; split the landing folder")
    for source in fresh:
        holder = orphans.get(source["sha256"], final_run["runId"])
        items.append({"Put": {
            "TableName": table,
            "Item": {"pk": pk, "sk": _s(source_sk(source["sha256"])), "runId": _s(final_run["runId"]), "body": _s(_body(source))},
            "ConditionExpression": "attribute_not_exists(pk) OR runId = :holder",
            "ExpressionAttributeValues": {":holder": _s(holder)},
        }})
    return {"TransactItems": items}
