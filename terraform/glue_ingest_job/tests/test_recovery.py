"""The job's commit and recovery (ingest_core.recovery) with real boto3 against s3rver and dynalite."""

import datetime
import json
import unittest
import uuid

from ingest_core import layout, ledger, recovery
from tests.servers import Servers

T0 = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.timezone.utc)
DEAD = "20260115T100000Z-0000dead"
NEXT = "20260116T100000Z-00000e47"


class Recovery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = Servers()
        cls.s3, cls.dynamodb = cls.servers.s3, cls.servers.dynamodb
        cls.table = "ingest-" + uuid.uuid4().hex[:8]
        cls.servers.create_table(cls.table)
        cls.buckets = {zone: f"{zone}-{uuid.uuid4().hex[:8]}" for zone in recovery.ZONES}
        for bucket in cls.buckets.values():
            cls.s3.create_bucket(Bucket=bucket)

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def setUp(self):
        self.dataset = "conformance.r" + uuid.uuid4().hex[:8]
        self.published = []

    # --- a dead run, as the job leaves it when it dies at some step of its commit ---------------------------------

    def put(self, zone, key, body=b"x"):
        self.s3.put_object(Bucket=self.buckets[zone], Key=key, Body=body)

    def keys(self, zone):
        """This test's keys in a zone's bucket (the buckets are shared by the tests, each has its dataset)."""
        name = self.dataset.split(".")[1]
        return sorted(k for k in recovery._keys(self.s3, self.buckets[zone], "") if f"/{name}/" in k)

    def take_lease(self, run_id):
        self.dynamodb.put_item(TableName=self.table, Item={
            "pk": {"S": ledger.dataset_pk(self.dataset)}, "sk": {"S": ledger.LEASE}, "runId": {"S": run_id},
            "host": {"S": "arn:aws:states:::execution:x"}, "processId": {"N": "0"}, "expiresAt": {"S": "9999-12-31T23:59:59.999Z"}})

    def run_item(self, run_id):
        item = self.dynamodb.get_item(**ledger.get_run_request(self.table, self.dataset, run_id)).get("Item")
        return item and (item["status"]["S"], json.loads(item["body"]["S"]))

    def dead_run(self, manifest=True):
        """A run that staged one curated file and its raw copy of one landing file, and wrote its manifest (or not)."""
        self.take_lease(DEAD)
        run = ledger.new_run(DEAD, self.dataset, 1, T0)
        self.dynamodb.put_item(**ledger.start_run_request(self.table, run))
        staging = layout.staging_prefix(self.dataset, DEAD)
        landing = layout.landing_prefix(self.dataset) + "orders.csv"
        self.put("raw", landing, b"id\n1\n")
        self.put("raw", staging + "raw/0000-orders.csv", b"id\n1\n")
        self.put("curated", staging + "curated/event_day=2026-01-15/part-0.parquet", b"PAR1")
        raw_key = layout.raw_key(self.dataset, T0.date(), DEAD, "orders.csv")
        curated_key = layout.curated_key(self.dataset, "event_day=2026-01-15/", DEAD, 0)
        source = ledger.source_fingerprint("a" * 64, "orders.csv", 5, raw_key, DEAD)
        final = ledger.transition(run, "succeeded", T0, rowsRead=1, rowsWritten=1, sources=[source],
                                  filesWritten=["curated/" + curated_key], partitionsWritten=["event_day=2026-01-15/"])
        document = recovery.new_manifest(DEAD, [
            {"zone": "raw", "from": staging + "raw/0000-orders.csv", "to": raw_key},
            {"zone": "curated", "from": staging + "curated/event_day=2026-01-15/part-0.parquet", "to": curated_key},
        ], [{"zone": "raw", "key": landing}], final)
        if manifest:
            self.put("curated", recovery.manifest_key(self.dataset, DEAD), json.dumps(document).encode("utf-8"))
        self.take_lease(NEXT)  # the state machine gave the dataset to the next run
        return document, landing, raw_key, curated_key

    def recover(self):
        return recovery.recover(self.s3, self.dynamodb, self.table, self.buckets, self.dataset, NEXT, T0, self.published.append)

    # --- the tests --------------------------------------------------------------------------------------------------

    def test_a_run_that_died_after_its_manifest_is_rolled_forward_and_its_inputs_are_not_read_again(self):
        document, landing, raw_key, curated_key = self.dead_run()

        self.assertEqual(self.recover(), ([DEAD], []))

        self.assertEqual(self.keys("curated"), [curated_key], "promoted; staging and manifest removed")
        self.assertEqual(self.keys("raw"), [raw_key], "the landing file is gone: the next listing does not ingest it twice")
        status, body = self.run_item(DEAD)
        self.assertEqual((status, body["rowsWritten"], body["partitionsWritten"]), ("succeeded", 1, ["event_day=2026-01-15/"]))
        source = self.dynamodb.get_item(**ledger.find_source_request(self.table, self.dataset, "a" * 64))["Item"]
        self.assertEqual(ledger.source_holder(source), DEAD)
        self.assertEqual([m["runId"] for m in self.published], [DEAD], "the catalog is published for the rolled-forward run")

    def test_recovery_repeats_safely_after_a_half_done_promotion_and_a_run_the_state_machine_failed(self):
        document, landing, raw_key, curated_key = self.dead_run()
        recovery.promote(self.s3, self.buckets, document["promotions"][:1])  # died between the two copies
        failed = ledger.transition(ledger.new_run(DEAD, self.dataset, 1, T0), "failed", T0, error="Glue job run FAILED")
        self.dynamodb.update_item(**ledger.fail_run_request(self.table, failed))

        self.assertEqual(self.recover(), ([DEAD], []))
        self.assertEqual(self.recover(), ([], []), "nothing is left to recover")

        self.assertEqual(self.run_item(DEAD)[0], "succeeded")
        self.assertEqual(self.keys("curated"), [curated_key])

    def test_a_run_that_died_before_its_manifest_is_discarded_and_failed(self):
        _, landing, raw_key, curated_key = self.dead_run(manifest=False)

        self.assertEqual(self.recover(), ([], [DEAD]))

        self.assertEqual(self.keys("curated"), [], "nothing of it is visible")
        self.assertEqual(self.keys("raw"), [landing], "its input waits for the next run")
        status, body = self.run_item(DEAD)
        self.assertEqual((status, body["error"]), ("failed", ledger.STOPPED_BEFORE_COMMIT))
        self.assertIsNone(self.dynamodb.get_item(**ledger.find_source_request(self.table, self.dataset, "a" * 64)).get("Item"))
        self.assertEqual(self.published, [])

    def test_without_the_lease_the_ledger_is_not_written(self):
        self.dead_run()
        self.take_lease("20260117T100000Z-0000beef")  # a third run holds the dataset

        with self.assertRaises(self.dynamodb.exceptions.TransactionCanceledException):
            self.recover()

        self.assertEqual(self.run_item(DEAD)[0], "running")
        self.assertIn(recovery.manifest_key(self.dataset, DEAD), self.keys("curated"), "the manifest stays for the lease holder")

    def test_the_jobs_own_commit_publishes_records_and_cleans_up(self):
        document, landing, raw_key, curated_key = self.dead_run(manifest=False)
        self.take_lease(DEAD)

        recovery.commit(self.s3, self.dynamodb, self.table, self.buckets, self.dataset, document, self.published.append)

        self.assertEqual(self.keys("curated"), [curated_key])
        self.assertEqual(self.keys("raw"), [raw_key])
        self.assertEqual(self.run_item(DEAD)[0], "succeeded")
        self.assertEqual(self.recover(), ([], []))

    # --- an Iceberg run: the snapshot is the commit point, the table is asked ------------------------------------------

    def iceberg_dead_run(self, manifest=True):
        """A run of an Iceberg dataset that staged its raw copy and a quarantine file and wrote its manifest (awaiting
        the table commit), or died before it. Its curated rows go into the table, so nothing curated is staged."""
        self.take_lease(DEAD)
        run = ledger.new_run(DEAD, self.dataset, 1, T0)
        self.dynamodb.put_item(**ledger.start_run_request(self.table, run))
        staging = layout.staging_prefix(self.dataset, DEAD)
        landing = layout.landing_prefix(self.dataset) + "orders.csv"
        self.put("raw", landing, b"id\n1\nx\n")
        self.put("raw", staging + "raw/0000-orders.csv", b"id\n1\nx\n")
        self.put("quarantine", staging + "quarantine/part-0.parquet", b"PAR1")
        raw_key = layout.raw_key(self.dataset, T0.date(), DEAD, "orders.csv")
        rejects_key = layout.quarantine_key(self.dataset, T0.date(), DEAD, 0)
        source = ledger.source_fingerprint("b" * 64, "orders.csv", 7, raw_key, DEAD)
        final = ledger.transition(run, "succeeded", T0, rowsRead=2, rowsWritten=1, rowsRejected=1, sources=[source],
                                  filesWritten=["quarantine/" + rejects_key], partitionsWritten=[])
        document = recovery.new_manifest(DEAD, [
            {"zone": "raw", "from": staging + "raw/0000-orders.csv", "to": raw_key},
            {"zone": "quarantine", "from": staging + "quarantine/part-0.parquet", "to": rejects_key},
        ], [{"zone": "raw", "key": landing}], final, awaits_table_commit=True)
        if manifest:
            self.put("curated", recovery.manifest_key(self.dataset, DEAD), json.dumps(document).encode("utf-8"))
        self.take_lease(NEXT)
        return document, landing, raw_key, rejects_key

    def recover_iceberg(self, snapshots):
        asked = []

        def summaries():
            asked.append(True)
            return snapshots

        result = recovery.recover(self.s3, self.dynamodb, self.table, self.buckets, self.dataset, NEXT, T0, self.published.append, summaries)
        self.assertEqual(len(asked), 1, "the table's snapshots are read once")
        return result

    def test_an_iceberg_run_whose_snapshot_exists_is_completed_not_ingested_again(self):
        _, landing, raw_key, rejects_key = self.iceberg_dead_run()
        snapshots = [{"ingest.run-id": "20260114T100000Z-00000001"}, {"ingest.run-id": DEAD, "ingest.inputs": "b" * 64}]

        self.assertEqual(self.recover_iceberg(snapshots), ([DEAD], []))

        self.assertEqual(self.keys("raw"), [raw_key], "the landing file is gone: the next listing does not ingest it twice")
        self.assertEqual(self.keys("quarantine"), [rejects_key])
        self.assertEqual(self.keys("curated"), [], "manifest removed; the rows are in the table's snapshot")
        status, body = self.run_item(DEAD)
        self.assertEqual((status, body["rowsWritten"], body["rowsRejected"]), ("succeeded", 1, 1))
        source = self.dynamodb.get_item(**ledger.find_source_request(self.table, self.dataset, "b" * 64))["Item"]
        self.assertEqual(ledger.source_holder(source), DEAD)

    def test_an_iceberg_run_that_died_before_its_snapshot_is_discarded_and_read_again(self):
        _, landing, raw_key, rejects_key = self.iceberg_dead_run()

        self.assertEqual(self.recover_iceberg([{"ingest.run-id": "20260114T100000Z-00000001"}]), ([], [DEAD]))

        self.assertEqual(self.keys("raw"), [landing], "its input waits for the next run")
        self.assertEqual(self.keys("quarantine") + self.keys("curated"), [], "staging and manifest removed")
        self.assertEqual(self.run_item(DEAD)[0], "failed")
        self.assertIsNone(self.dynamodb.get_item(**ledger.find_source_request(self.table, self.dataset, "b" * 64)).get("Item"))

    def test_a_snapshot_without_manifest_or_ledger_record_stops_recovery_with_the_fix(self):
        self.iceberg_dead_run(manifest=False)
        recovery.delete_staging(self.s3, self.buckets, self.dataset, DEAD)  # someone removed the staging area

        with self.assertRaisesRegex(ledger.LedgerError, rf"run {DEAD} committed an Iceberg snapshot .*ingest rollback {self.dataset} --to <snapshot id>"):
            self.recover_iceberg([{"ingest.run-id": DEAD}])
        self.assertEqual(self.run_item(DEAD)[0], "running", "not marked failed: its rows are in the table")

    def test_the_jobs_iceberg_commit_is_recovered_from_each_step_it_can_die_at(self):
        # Dies in the table commit (no snapshot): the next run discards it and reads the landing file again.
        document, landing, raw_key, rejects_key = self.iceberg_dead_run(manifest=False)
        self.take_lease(DEAD)

        def dies_before_the_snapshot():
            raise RuntimeError("Spark commit failed")

        with self.assertRaisesRegex(RuntimeError, "Spark commit failed"):
            recovery.commit(self.s3, self.dynamodb, self.table, self.buckets, self.dataset, document, self.published.append, table_commit=dies_before_the_snapshot)
        self.take_lease(NEXT)
        self.assertEqual(self.recover_iceberg([]), ([], [DEAD]))
        self.assertEqual(self.keys("raw"), [landing])

        # Dies after the snapshot, before the ledger: the next run completes it from the manifest.
        self.setUp()
        document, landing, raw_key, rejects_key = self.iceberg_dead_run(manifest=False)
        self.take_lease(DEAD)
        snapshots = []

        def dies_before_the_ledger(manifest):
            raise RuntimeError("job killed")

        with self.assertRaisesRegex(RuntimeError, "job killed"):
            recovery.commit(self.s3, self.dynamodb, self.table, self.buckets, self.dataset, document, dies_before_the_ledger,
                            table_commit=lambda: snapshots.append({"ingest.run-id": DEAD}))
        self.assertEqual(self.run_item(DEAD)[0], "running")
        self.take_lease(NEXT)
        self.assertEqual(self.recover_iceberg(snapshots), ([DEAD], []))
        self.assertEqual((self.run_item(DEAD)[0], self.keys("raw")), ("succeeded", [raw_key]))

    def test_a_commit_must_match_its_manifest(self):
        document, *_ = self.iceberg_dead_run(manifest=False)
        with self.assertRaisesRegex(ledger.LedgerError, "awaitsTableCommit"):
            recovery.commit(self.s3, self.dynamodb, self.table, self.buckets, self.dataset, document, self.published.append)
        self.assertEqual(self.keys("curated"), [], "nothing written")


class Decisions(unittest.TestCase):
    """recovery.decide for every manifest, staging, snapshot and ledger state."""

    HIVE = {"runId": DEAD}
    ICEBERG = {"runId": DEAD, "awaitsTableCommit": True}

    def test_every_state(self):
        R, D, F, S, N = recovery.ROLL_FORWARD, recovery.DISCARD, recovery.FAIL, recovery.STRANDED, recovery.NOTHING
        table = [
            # manifest, staging, in a snapshot, ledger status -> action
            (self.HIVE, True, False, "running", R),  # Hive: the manifest is the commit point
            (self.HIVE, True, False, "failed", R),  # the state machine marked it failed meanwhile
            (self.HIVE, True, False, None, R),
            (self.HIVE, True, False, "succeeded", R),  # died in the clean-up: idempotent, the ledger is not rewritten
            (self.ICEBERG, True, True, "running", R),  # died after the snapshot
            (self.ICEBERG, True, True, "failed", R),
            (self.ICEBERG, True, True, "succeeded", R),
            (self.ICEBERG, True, False, "running", D),  # died between manifest and snapshot
            (self.ICEBERG, True, False, "failed", D),
            (self.ICEBERG, True, False, None, D),
            (self.ICEBERG, True, False, "succeeded", R),  # its snapshot expired since: the ledger decided
            (None, True, False, "running", D),  # died before the manifest
            (None, True, False, None, D),
            (None, True, True, "running", S),  # a snapshot and no manifest: the manifest was deleted
            (None, True, True, "succeeded", D),  # only staging left after a finished commit
            (None, False, True, "running", S),
            (None, False, True, "failed", S),
            (None, False, True, "succeeded", N),
            (None, False, False, "running", F),  # recorded running, left nothing
            (None, False, False, "failed", N),
            (None, False, False, "skipped", N),
            (None, False, False, "succeeded", N),
        ]
        for manifest, staging, in_table, status, action in table:
            with self.subTest(manifest=manifest, staging=staging, in_table=in_table, status=status):
                runs = {DEAD, "other"} if in_table else {"other"}
                self.assertEqual(recovery.decide(DEAD, manifest, staging, runs, status), action)

    def test_snapshot_run_ids_come_from_every_snapshots_summary(self):
        self.assertEqual(recovery.snapshot_run_ids([{"ingest.run-id": "a"}, {"ingest.maintenance": "compaction"}, {"ingest.run-id": "b"}]), {"a", "b"})


if __name__ == "__main__":
    unittest.main()
