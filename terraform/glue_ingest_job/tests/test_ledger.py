import datetime
import gzip
import json
import unittest

from ingest_core import ledger
from tests.test_definition import example

T0 = datetime.datetime(2026, 11, 25, 2, 0, 0, 123000, tzinfo=datetime.timezone.utc)
RUN = "20261125T020000Z-45fc5712"
DATASET = "inventory.stock_levels"


def registered_item(version=3):
    """DEF#LATEST as DynamoDbSchemaRegistry writes it: attributes, the definition as JSON text."""
    return {
        "pk": {"S": "DATASET#" + DATASET}, "sk": {"S": "DEF#LATEST"}, "version": {"N": str(version)},
        "registeredAt": {"S": "2026-11-20T08:00:00.0000000+00:00"}, "fingerprint": {"S": "f" * 64},
        "definition": {"S": json.dumps(example("inventory.stock_levels.json"))},
    }


class Keys(unittest.TestCase):
    def test_keys_are_those_of_the_sqlite_single_table(self):
        self.assertEqual(ledger.dataset_pk("sales.orders"), "DATASET#sales.orders")
        self.assertEqual(ledger.definition_sk(12), "DEF#000012")
        self.assertEqual((ledger.LATEST, ledger.LEASE), ("DEF#LATEST", "LEASE"))
        self.assertEqual(ledger.run_sk(RUN), "RUN#" + RUN)
        self.assertEqual(ledger.source_sk("ab" * 32), "SOURCE#" + "ab" * 32)


class Registry(unittest.TestCase):
    def test_reads_the_registered_definition(self):
        version, definition, fingerprint = ledger.read_registered(registered_item())
        self.assertEqual(version, 3)
        self.assertEqual(definition["engine"]["glue"]["numberOfWorkers"], 10)
        self.assertEqual(fingerprint, "f" * 64)

    def test_reads_a_compressed_definition(self):
        item = registered_item(4)
        item["definitionGz"] = {"B": gzip.compress(item.pop("definition")["S"].encode("utf-8"))}
        version, definition, _ = ledger.read_registered(item)
        self.assertEqual((version, definition["id"]), (4, DATASET))

    def test_a_missing_item_is_an_error(self):
        with self.assertRaises(ledger.LedgerError):
            ledger.read_registered({})
        with self.assertRaisesRegex(ledger.LedgerError, "no definition attribute"):
            ledger.read_registered({"version": {"N": "1"}})

    def test_request_for_a_version(self):
        self.assertEqual(ledger.get_definition_request("t", DATASET, 2)["Key"]["sk"], {"S": "DEF#000002"})
        self.assertEqual(ledger.get_definition_request("t", DATASET)["Key"]["sk"], {"S": "DEF#LATEST"})


class Runs(unittest.TestCase):
    def test_a_run_starts_once(self):
        run = ledger.new_run(RUN, DATASET, 3, T0)
        request = ledger.start_run_request("t", run)
        self.assertEqual(request["ConditionExpression"], "attribute_not_exists(pk)")
        self.assertEqual(request["Item"]["status"], {"S": "running"})
        # DateTimeOffset(2026-11-25T02:00:00.123Z).UtcTicks (Unix epoch 621355968000000000 + ms * 10000), which the C# ledger sorts runs by.
        self.assertEqual(request["Item"]["startedAt"], {"N": "639311688001230000"})
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
        self.assertEqual(puts[0]["Item"]["runId"], {"S": RUN}, "the C# ledger reads the holder from runId")
        self.assertEqual(json.loads(puts[0]["Item"]["body"]["S"])["rawKey"].split("/")[2], "ingest_date=2026-11-25")

    def test_an_orphan_fingerprint_is_taken_over_only_if_it_still_names_its_run(self):
        run = ledger.new_run(RUN, DATASET, 3, T0)
        done = ledger.transition(run, "succeeded", T0, rowsRead=1, rowsWritten=1, sources=[ledger.source_fingerprint("a" * 64, "x", 1, "k", RUN)])
        put = ledger.commit_transaction("t", done, {"a" * 64: "20261124T010000Z-deadbeef"})["TransactItems"][2]["Put"]
        self.assertEqual(put["ConditionExpression"], "runId = :holder")
        self.assertEqual(put["ExpressionAttributeValues"][":holder"], {"S": "20261124T010000Z-deadbeef"})

    def test_a_fingerprint_counts_only_while_its_run_succeeded(self):
        source = {"runId": {"S": "r1"}, "body": {"S": "{}"}}
        self.assertEqual(ledger.source_holder(source), "r1")
        self.assertTrue(ledger.source_counts({"status": {"S": "succeeded"}}))
        self.assertFalse(ledger.source_counts({"status": {"S": "running"}}))
        self.assertFalse(ledger.source_counts(None))
        self.assertEqual(ledger.get_run_request("t", DATASET, "r1")["Key"]["sk"], {"S": "RUN#r1"})

    def test_a_failed_run_records_no_fingerprints(self):
        run = ledger.new_run(RUN, DATASET, 3, T0)
        failed = ledger.transition(run, "failed", T0, error="boom", sources=[ledger.source_fingerprint("a" * 64, "x", 1, "k", RUN)])
        self.assertEqual(len(ledger.commit_transaction("t", failed)["TransactItems"]), 2)
        self.assertEqual(ledger.fail_run_request("t", failed)["ExpressionAttributeValues"][":failed"], {"S": "failed"})


class Leases(unittest.TestCase):
    def test_the_job_adopts_the_lease_the_state_machine_took(self):
        request = ledger.adopt_lease_request("t", DATASET, RUN, T0, 600)
        self.assertEqual(request["ConditionExpression"], "runId = :runId")
        self.assertEqual(request["UpdateExpression"], "SET expiresAt = :expires", "host stays the execution ARN the cleanup matches")
        self.assertEqual(request["ExpressionAttributeValues"][":expires"], {"S": "2026-11-25T02:10:00.123Z"})

    def test_expiry_has_the_csharp_ledgers_fixed_width_format(self):
        # DynamoDbRunLedger.LeaseTime: yyyy-MM-ddTHH:mm:ss.fffZ, milliseconds truncated.
        self.assertEqual(ledger.lease_expiry(T0 + datetime.timedelta(microseconds=999)), "2026-11-25T02:00:00.123Z")
        self.assertEqual(ledger.lease_expiry(datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)), "2026-01-02T03:04:05.000Z")

    def test_expiry_strings_sort_like_the_state_machine_clock(self):
        # The state machine compares expiresAt <= $$.State.EnteredTime as strings.
        self.assertLess(ledger.lease_expiry(T0), "2026-11-25T02:00:00.124Z")
        self.assertGreater(ledger.lease_expiry(T0), "2026-11-25T02:00:00.122Z")
        self.assertLess(ledger.lease_expiry(T0), "9999-12-31T23:59:59.999Z")


if __name__ == "__main__":
    unittest.main()
