"""The metadata table's items as the Glue job reads and writes them.

Keys and JSON bodies are those of the SQLite single table (src/Ingest.Local/Sqlite/Keys.cs,
SqliteRunLedger.cs, SqliteSchemaRegistry.cs): pk = DATASET#<id>; sk = DEF#<version:06d>, DEF#LATEST, RUN#<run id>,
LEASE, SOURCE#<sha256>, WATERMARK#<source>; attribute ``body`` = the record's JSON (camelCase, kebab-case
enums). DynamoDB cannot look inside a JSON string, so the attributes that conditions compare are also kept
at the top level: ``status`` on runs, ``runId`` / ``expiresAt`` / ``heldBy`` on the lease.

Functions here build request dictionaries for the boto3 DynamoDB client (low-level attribute values) and
never call AWS, so they are tested without it.
"""

import datetime
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


def watermark_sk(source):
    return "WATERMARK#" + source


def timestamp(moment):
    """ISO 8601 with offset, as System.Text.Json writes a UTC DateTimeOffset."""
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds")


def lease_expiry(moment):
    """The top-level expiresAt that conditions compare with the state machine's clock (…Z, sortable)."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _s(value):
    return {"S": value}


def _body(record):
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def read_registered(item, source="DEF#LATEST"):
    """(version, definition, fingerprint) of a DEF# item (low-level attribute values)."""
    if not item or "body" not in item:
        raise LedgerError(f"{source}: no registered definition")
    body = json.loads(item["body"]["S"])
    for member in ("version", "definition"):
        if member not in body:
            raise LedgerError(f"{source}: the body has no {member}")
    return body["version"], definitions.parse(body["definition"], f"registry item {source} v{body['version']}"), body.get("fingerprint")


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


def lease_body(dataset_id, run_id, host, expires_at):
    return {"dataset": dataset_id, "owner": {"runId": run_id, "host": host, "processId": 0}, "expiresAt": timestamp(expires_at)}


def adopt_lease_request(table, dataset_id, run_id, host, now, seconds):
    """Sets a real expiry on the lease the state machine took for this run (and renews it later)."""
    expires = now + datetime.timedelta(seconds=seconds)
    return {
        "TableName": table,
        "Key": {"pk": _s(dataset_pk(dataset_id)), "sk": _s(LEASE)},
        "UpdateExpression": "SET expiresAt = :expires, body = :body",
        "ConditionExpression": "runId = :runId",
        "ExpressionAttributeValues": {
            ":expires": _s(lease_expiry(expires)),
            ":body": _s(_body(lease_body(dataset_id, run_id, host, expires))),
            ":runId": _s(run_id),
        },
    }


def start_run_request(table, run):
    if run["status"] != "running":
        raise LedgerError("a run starts as running")
    return {
        "TableName": table,
        "Item": {"pk": _s(dataset_pk(run["dataset"])), "sk": _s(run_sk(run["runId"])), "status": _s("running"), "body": _s(_body(run))},
        "ConditionExpression": "attribute_not_exists(pk)",
    }


def find_source_request(table, dataset_id, sha256):
    return {"TableName": table, "Key": {"pk": _s(dataset_pk(dataset_id)), "sk": _s(source_sk(sha256))}, "ConsistentRead": True}


def commit_transaction(table, final_run, watermark=None):
    """TransactItems that record a finished run: the lease must still be ours, the run must still be running,
    and each new input fingerprint is written once (the first run that ingested an input stays its record)."""
    if final_run["status"] not in ("succeeded", "skipped", "failed"):
        raise LedgerError("commit needs a final run")
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
            items.append({"Put": {
                "TableName": table,
                "Item": {"pk": pk, "sk": _s(source_sk(source["sha256"])), "body": _s(_body(source))},
                "ConditionExpression": "attribute_not_exists(pk)",
            }})
        if watermark is not None:
            name, value = watermark
            items.append({"Put": {
                "TableName": table,
                "Item": {"pk": pk, "sk": _s(watermark_sk(name)), "body": _s(_body({"source": name, "value": value, "runId": final_run["runId"]}))},
            }})
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
