"""The Glue job's commit and the recovery of a job that died, as src/Ingest/Engine/Commit/CommitProtocol.cs does them.

A run stages every object under _staging/<domain>/<name>/<run id>/ in each zone's bucket and then writes the commit
manifest (_commit.json in the curated bucket's staging area): its existence is the commit point. Applying a manifest
promotes the staged objects to their final keys, publishes the catalog (a callback: the Glue Data Catalog), records the
run in the ledger, deletes the landing files it ingested (the manifest's deletions) and removes the staging area, the
manifest last. Every step can be repeated, so a run that dies anywhere after the manifest is rolled forward by the
next run of the dataset (under its lease, before it lists the landing folder); a run that died before the manifest
is discarded (its staging removed: nothing of it was visible, its landing files are still there to be read again).
Runs still recorded as running are then failed, as the C# recovery does.

The functions take boto3 clients (S3 and DynamoDB); tests/test_recovery.py runs them against s3rver and dynalite.
"""

import json

from . import layout, ledger

ZONES = ("curated", "quarantine", "raw")


def _keys(s3, bucket, prefix):
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"]


def _exists(s3, bucket, key):
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise


def manifest_key(dataset_id, run_id):
    return layout.staging_prefix(dataset_id, run_id) + layout.MANIFEST


def new_manifest(run_id, promotions, deletions, final_run):
    """The manifest as CommitManifest serializes it: promotions {zone, from, to}, deletions {zone, key}, the final run."""
    return {"runId": run_id, "promotions": promotions, "deletions": deletions, "run": final_run}


def dead_runs(s3, buckets, dataset_id, current_run_id):
    """Run ids that left staged objects in any zone, except the current run's, in order."""
    prefix = f"{layout.STAGING_ROOT}/{layout.dataset_prefix(dataset_id)}"
    runs = set()
    for zone in ZONES:
        for key in _keys(s3, buckets[zone], prefix):
            run_id = key[len(prefix):].split("/", 1)[0]
            if run_id != current_run_id:
                runs.add(run_id)
    return sorted(runs)


def delete_staging(s3, buckets, dataset_id, run_id):
    """Removes a run's staging area in every zone, the manifest last; returns how many objects."""
    prefix = layout.staging_prefix(dataset_id, run_id)
    count = 0
    for zone in ZONES:
        keys = sorted(_keys(s3, buckets[zone], prefix), key=lambda k: k.endswith(layout.MANIFEST))
        for key in keys:
            s3.delete_object(Bucket=buckets[zone], Key=key)
            count += 1
    return count


def promote(s3, buckets, moves):
    """Copies each staged object to its final key and deletes the staged one; a move already done is skipped."""
    for move in moves:
        bucket = buckets[move["zone"]]
        if _exists(s3, bucket, move["from"]):
            s3.copy_object(Bucket=bucket, Key=move["to"], CopySource={"Bucket": bucket, "Key": move["from"]})
            s3.delete_object(Bucket=bucket, Key=move["from"])
        elif not _exists(s3, bucket, move["to"]):
            raise ledger.LedgerError(f"commit of run: neither {move['from']} nor {move['to']} exists in {bucket}; the staged object was lost")


def finish(s3, buckets, dataset_id, manifest):
    """The steps after the ledger: the landing files the run ingested, then its staging area (manifest last)."""
    for deletion in manifest["deletions"]:
        s3.delete_object(Bucket=buckets[deletion["zone"]], Key=deletion["key"])
    delete_staging(s3, buckets, dataset_id, manifest["runId"])


def roll_forward(s3, dynamodb, table, buckets, dataset_id, current_run_id, manifest, publish):
    """Applies a dead run's manifest under the current run's lease; idempotent."""
    promote(s3, buckets, manifest["promotions"])
    publish(manifest)
    item = dynamodb.get_item(**ledger.get_run_request(table, dataset_id, manifest["runId"])).get("Item")
    if not ledger.source_counts(item):
        orphans = {}
        for source in manifest["run"]["sources"]:
            if source.get("skipped"):
                continue
            held = dynamodb.get_item(**ledger.find_source_request(table, dataset_id, source["sha256"])).get("Item")
            if held and ledger.source_holder(held) != manifest["runId"]:
                orphans[source["sha256"]] = ledger.source_holder(held)
        final = manifest["run"]
        for sha, holder in list(orphans.items()):
            if ledger.source_counts(dynamodb.get_item(**ledger.get_run_request(table, dataset_id, holder)).get("Item")):
                # Another run succeeded with these bytes first: its record stays (as commit_transaction keeps it).
                del orphans[sha]
                final = dict(final, sources=[dict(s, skipped=True, runId=holder) if s["sha256"] == sha else s for s in final["sources"]])
        dynamodb.transact_write_items(**ledger.recovery_transaction(table, current_run_id, final, orphans))
    finish(s3, buckets, dataset_id, manifest)


def recover(s3, dynamodb, table, buckets, dataset_id, current_run_id, now, publish):
    """Rolls forward or discards every dead run of the dataset, then fails the runs still recorded as running;
    returns (rolled forward, discarded) run ids. Call it under the lease, before listing the landing folder."""
    rolled, discarded = [], []
    for run_id in dead_runs(s3, buckets, dataset_id, current_run_id):
        key = manifest_key(dataset_id, run_id)
        if _exists(s3, buckets["curated"], key):
            manifest = json.loads(s3.get_object(Bucket=buckets["curated"], Key=key)["Body"].read().decode("utf-8"))
            roll_forward(s3, dynamodb, table, buckets, dataset_id, current_run_id, manifest, publish)
            rolled.append(run_id)
        else:
            delete_staging(s3, buckets, dataset_id, run_id)
            discarded.append(run_id)
    for page in dynamodb.get_paginator("query").paginate(**ledger.list_runs_request(table, dataset_id)):
        for item in page.get("Items", []):
            run = json.loads(item["body"]["S"])
            if item["status"]["S"] == "running" and run["runId"] != current_run_id:
                failed = ledger.transition(run, "failed", now, error=ledger.STOPPED_BEFORE_COMMIT)
                try:
                    dynamodb.update_item(**ledger.fail_run_request(table, failed))
                except dynamodb.exceptions.ConditionalCheckFailedException:
                    pass  # it finished meanwhile: its own commit decided
    return rolled, discarded


def commit(s3, dynamodb, table, buckets, dataset_id, manifest, publish, orphans=None):
    """The job's own commit: the manifest (the commit point), promotions, catalog, the ledger transaction (lease still
    ours, run still running), then the landing files and the staging area. A failure after the manifest leaves a run
    the next run rolls forward."""
    s3.put_object(Bucket=buckets["curated"], Key=manifest_key(dataset_id, manifest["runId"]),
                  Body=json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
    promote(s3, buckets, manifest["promotions"])
    publish(manifest)
    dynamodb.transact_write_items(**ledger.commit_transaction(table, manifest["run"], orphans))
    finish(s3, buckets, dataset_id, manifest)
