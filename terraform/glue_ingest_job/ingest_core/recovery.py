"""The Glue job's commit and the recovery of a job that died, as src/Ingest/Engine/Commit/CommitProtocol.cs does them.

A run stages every object under _staging/<domain>/<name>/<run id>/ in each zone's bucket and then writes the commit
manifest (_commit.json in the curated bucket's staging area): its existence is the commit point. Applying a manifest
promotes the staged objects to their final keys, publishes the catalog (a callback: the Glue Data Catalog), records the
run in the ledger, deletes the landing files it ingested (the manifest's deletions) and removes the staging area, the
manifest last. Every step can be repeated, so a run that dies anywhere after the manifest is rolled forward by the
next run of the dataset (under its lease, before it lists the landing folder); a run that died before the manifest
is discarded (its staging removed: nothing of it was visible, its landing files are still there to be read again).
Runs still recorded as running are then failed, as the C# recovery does.

An Iceberg dataset's commit point is the table's snapshot, not the manifest (RunWork.CommitSnapshotAsync): the manifest
(awaitsTableCommit) is written first, then Spark commits the snapshot carrying the run id (ingest.run-id), then the
promotions and the ledger follow. Recovery then asks the table: a run whose snapshot exists is rolled forward (its
landing files are deleted, never ingested again), one without is discarded (nothing of it is visible; the data files
Spark wrote are referenced by no snapshot and are removed by orphan-file maintenance). ``decide`` holds that choice
for every manifest, snapshot and ledger state.

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


ROLL_FORWARD = "roll-forward"  # apply the manifest: promotions, catalog, ledger (unless it already succeeded), clean-up
DISCARD = "discard"  # nothing of the run is visible: remove its staging area; its landing files are read again
FAIL = "fail"  # a run recorded as running that left nothing: record it failed (STOPPED_BEFORE_COMMIT)
STRANDED = "stranded"  # a snapshot of the run without its manifest and without a succeeded ledger record
NOTHING = "nothing"


def snapshot_run_ids(summaries):
    """The run ids named by the table's snapshots (every snapshot, the rolled-back ones too, as IcebergTable.FindRun)."""
    return {s.get("ingest.run-id") for s in summaries if s.get("ingest.run-id")}


def decide(run_id, manifest, has_staging, snapshot_runs, ledger_status):
    """What recovery does with a run that is not the current one.
    manifest: its commit manifest (None when there is none); has_staging: it left objects under its staging prefix;
    snapshot_runs: the run ids of the table's snapshots (empty for a Hive table); ledger_status: the status of its RUN#
    item (None when there is none)."""
    in_table = run_id in snapshot_runs
    if manifest is not None:
        if manifest.get("awaitsTableCommit") and not in_table and ledger_status != "succeeded":
            return DISCARD  # died between the manifest and the snapshot
        return ROLL_FORWARD  # past its commit point (idempotent when the ledger already says succeeded)
    if in_table and ledger_status != "succeeded":
        return STRANDED  # the manifest is written before the snapshot and removed after the ledger: it was deleted
    if has_staging:
        return DISCARD  # died before its commit point
    if ledger_status == "running":
        return FAIL
    return NOTHING


def stranded_error(dataset_id, run_id):
    return (f"Dataset {dataset_id}: run {run_id} committed an Iceberg snapshot (ingest.run-id) but its commit manifest is gone "
            "and the ledger does not record it as succeeded, so its inputs and counts are unknown; nothing was changed. "
            f"Roll the table back to the snapshot before it (ingest snapshots {dataset_id} lists them; ingest rollback {dataset_id} --to <snapshot id>) "
            "and run the dataset again.")


def manifest_key(dataset_id, run_id):
    return layout.staging_prefix(dataset_id, run_id) + layout.MANIFEST


def new_manifest(run_id, promotions, deletions, final_run, awaits_table_commit=False):
    """The manifest as CommitManifest serializes it: promotions {zone, from, to}, deletions {zone, key}, the final run,
    and for an Iceberg table awaitsTableCommit (the snapshot, not the manifest, is the commit point)."""
    manifest = {"runId": run_id, "promotions": promotions, "deletions": deletions, "run": final_run}
    if awaits_table_commit:
        manifest.update(awaitsTableCommit=True, tableFiles=[])
    return manifest


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


def _ledger_status(dynamodb, table, dataset_id, run_id):
    item = dynamodb.get_item(**ledger.get_run_request(table, dataset_id, run_id)).get("Item")
    return item["status"]["S"] if item else None


def recover(s3, dynamodb, table, buckets, dataset_id, current_run_id, now, publish, snapshot_summaries=None):
    """Rolls forward or discards every dead run of the dataset, then fails the runs still recorded as running;
    returns (rolled forward, discarded) run ids. Call it under the lease, before listing the landing folder.
    snapshot_summaries: for an Iceberg table, a function returning the summaries of the table's snapshots (called
    once; a table that does not exist has none)."""
    rolled, discarded = [], []
    snapshot_runs = snapshot_run_ids(snapshot_summaries() if snapshot_summaries else [])
    for run_id in dead_runs(s3, buckets, dataset_id, current_run_id):
        key = manifest_key(dataset_id, run_id)
        manifest = None
        if _exists(s3, buckets["curated"], key):
            manifest = json.loads(s3.get_object(Bucket=buckets["curated"], Key=key)["Body"].read().decode("utf-8"))
        action = decide(run_id, manifest, True, snapshot_runs, _ledger_status(dynamodb, table, dataset_id, run_id))
        if action == ROLL_FORWARD:
            roll_forward(s3, dynamodb, table, buckets, dataset_id, current_run_id, manifest, publish)
            rolled.append(run_id)
        elif action == STRANDED:
            raise ledger.LedgerError(stranded_error(dataset_id, run_id))
        else:
            delete_staging(s3, buckets, dataset_id, run_id)
            discarded.append(run_id)
    for page in dynamodb.get_paginator("query").paginate(**ledger.list_runs_request(table, dataset_id)):
        for item in page.get("Items", []):
            run = json.loads(item["body"]["S"])
            if run["runId"] == current_run_id:
                continue
            action = decide(run["runId"], None, False, snapshot_runs, item["status"]["S"])
            if action == STRANDED:
                raise ledger.LedgerError(stranded_error(dataset_id, run["runId"]))
            if action == FAIL:
                failed = ledger.transition(run, "failed", now, error=ledger.STOPPED_BEFORE_COMMIT)
                try:
                    dynamodb.update_item(**ledger.fail_run_request(table, failed))
                except dynamodb.exceptions.ConditionalCheckFailedException:
                    pass  # it finished meanwhile: its own commit decided
    return rolled, discarded


def commit(s3, dynamodb, table, buckets, dataset_id, manifest, publish, orphans=None, table_commit=None):
    """The job's own commit: the manifest (the commit point of a Hive table), for an Iceberg table the snapshot
    (table_commit, the commit point there), promotions, catalog, the ledger transaction (lease still ours, run still
    running), then the landing files and the staging area. A failure after the commit point leaves a run the next run
    rolls forward; a failure before it, one the next run discards."""
    if (table_commit is not None) != bool(manifest.get("awaitsTableCommit")):
        raise ledger.LedgerError("an Iceberg commit needs a manifest with awaitsTableCommit and a table commit, a Hive commit neither")
    s3.put_object(Bucket=buckets["curated"], Key=manifest_key(dataset_id, manifest["runId"]),
                  Body=json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
    if table_commit is not None:
        table_commit()
    promote(s3, buckets, manifest["promotions"])
    publish(manifest)
    dynamodb.transact_write_items(**ledger.commit_transaction(table, manifest["run"], orphans))
    finish(s3, buckets, dataset_id, manifest)
