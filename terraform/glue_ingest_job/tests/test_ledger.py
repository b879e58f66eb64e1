import datetime
import json
import unittest

from ingest_core import ledger
from tests.test_definition import example

T0 = datetime.datetime(2026, 11, 25, 2, 0, 0, 123000, tzinfo=datetime.timezone.utc)
RUN = "20261125T020000Z-45fc5712"
DATASET = "inventory.stock_levels"


def registered_item(version=3):
    body = {"version": version, "registeredAt": "2026-11-20T08:00:00+00:00", "fingerprint": "f" * 64, "definition": example("inventory.stock_levels.json")}
    return {"pk": {"S": "DATASET#" + DATASET}, "sk": {"S": "DEF#LATEST"}, "body": {"S": json.dumps(body)}}


class Keys(unittest.TestCase):
    def test_keys_are_those_of_the_sqlite_single_table(self):
        self.assertEqual(ledger.dataset_pk("sales.orders"), "DATASET#sales.orders")
        self.assertEqual(ledger.definition_sk(12), "DEF#000012")
        self.assertEqual((ledger.LATEST, ledger.LEASE), ("DEF#LATEST", "LEASE"))
        self.assertEqual(ledger.run_sk(RUN), "RUN#" + RUN)
        self.assertEqual(ledger.source_sk("ab" * 32), "SOURCE#" + "ab" * 32)
        self.assertEqual(ledger.watermark_sk("orders"), "WATERMARK#orders")


class Registry(unittest.TestCase):
    def test_reads_the_registered_definition(self):
        version, definition, fingerprint = ledger.read_registered(registered_item())
        self.assertEqual(version, 3)
        self.assertEqual(definition["engine"]["glue"]["numberOfWorkers"], 10)
        self.assertEqual(fingerprint, "f" * 64)

    def test_a_missing_item_is_an_error(self):
        with self.assertRaises(ledger.LedgerError):
            ledger.read_registered({})

    def test_request_for_a_version(self):
        self.assertEqual(ledger.get_definition_request("t", DATASET, 2)["Key"]["sk"], {"S": "DEF#000002"})
        self.assertEqual(ledger.get_definition_request("t", DATASET)["Key"]["sk"], {"S": "DEF#LATEST"})


class Runs(unittest.TestCase):
    def test_a_run_starts_once(self):
        run = ledger.new_run(RUN, DATASET, 3, T0)
        request = ledger.start_run_request("t", run)
        self.assertEqual(request["ConditionExpression"], "attribute_not_exists(pk)")
        self.assertEqual(request["Item"]["status"], {"S": "running"})
        body = json.loads(request["Item"]["body"]["S"])
        self.assertEqual(body["startedAt"], "2026-11-25T02:00:00.123000+00:00")
        self.assertEqual(body["status"], "running")
        self.assertEqual(body["definitionVersion"], 3)

    def test_transitions(self):
        run = ledger.new_run(RUN, DATASET, 3, T0)
        done = ledger.transition(run, "succeeded", T0, rowsRead=10, rowsWritten=9, rowsRejected=1)
        self.assertEqual(done["status"], "succeeded")
        with self.assertRaises(ledger.LedgerError):
            ledger.transition(done, "failed", T0)
        with self.assertRaisesRegex(ledger.LedgerError, "read 10 != written 8"):
            ledger.transition(run, "succeeded", T0, rowsRead=10, rowsWritten=8, rowsRejected=1)

    def test_commit_checks_the_lease_and_the_running_state_and_writes_fingerprints_once(self):
        run = ledger.new_run(RUN, DATASET, 3, T0)
        sources = [
            ledger.source_fingerprint("a" * 64, "stock.parquet", 10, "inventory/stock_levels/ingest_date=2026-11-25/" + "a" * 64 + "/stock.parquet", RUN),
            ledger.source_fingerprint("b" * 64, "old.parquet", 10, "k", "earlier", skipped=True),
        ]
        done = ledger.transition(run, "succeeded", T0, rowsRead=1, rowsWritten=1, sources=sources)
        items = ledger.commit_transaction("t", done)["TransactItems"]
        self.assertEqual(items[0]["ConditionCheck"]["Key"]["sk"], {"S": "LEASE"})
        self.assertEqual(items[0]["ConditionCheck"]["ExpressionAttributeValues"][":runId"], {"S": RUN})
        self.assertEqual(items[1]["Update"]["ConditionExpression"], "#status = :running")
        self.assertEqual(items[1]["Update"]["ExpressionAttributeValues"][":status"], {"S": "succeeded"})
        puts = [i["Put"] for i in items[2:]]
        self.assertEqual([p["Item"]["sk"]["S"] for p in puts], ["SOURCE#" + "a" * 64], "skipped inputs keep their first record")
        self.assertEqual(puts[0]["ConditionExpression"], "attribute_not_exists(pk)")
        self.assertEqual(json.loads(puts[0]["Item"]["body"]["S"])["rawKey"].split("/")[2], "ingest_date=2026-11-25")

    def test_a_failed_run_records_no_fingerprints(self):
        run = ledger.new_run(RUN, DATASET, 3, T0)
        failed = ledger.transition(run, "failed", T0, error="boom", sources=[ledger.source_fingerprint("a" * 64, "x", 1, "k", RUN)])
        self.assertEqual(len(ledger.commit_transaction("t", failed)["TransactItems"]), 2)
        self.assertEqual(ledger.fail_run_request("t", failed)["ExpressionAttributeValues"][":failed"], {"S": "failed"})


class Leases(unittest.TestCase):
    def test_the_job_adopts_the_lease_the_state_machine_took(self):
        request = ledger.adopt_lease_request("t", DATASET, RUN, "glue:jr_1", T0, 600)
        self.assertEqual(request["ConditionExpression"], "runId = :runId")
        self.assertEqual(request["ExpressionAttributeValues"][":expires"], {"S": "2026-11-25T02:10:00.123000Z"})
        body = json.loads(request["ExpressionAttributeValues"][":body"]["S"])
        self.assertEqual(body["owner"], {"runId": RUN, "host": "glue:jr_1", "processId": 0})
        self.assertEqual(body["expiresAt"], "2026-11-25T02:10:00.123000+00:00")

    def test_expiry_strings_sort_like_the_state_machine_clock(self):
        # The state machine compares expiresAt < $$.State.EnteredTime as strings.
        self.assertLess(ledger.lease_expiry(T0), "2026-11-25T02:00:00.124Z")
        self.assertGreater(ledger.lease_expiry(T0), "2026-11-25T02:00:00.122Z")


if __name__ == "__main__":
    unittest.main()
