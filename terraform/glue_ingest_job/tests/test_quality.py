"""ingest_core.quality: the messages of runs the quality checks stop, as the C# engine words them (RowProcessor, RunWork)."""

import os
import re
import unittest

from ingest_core import definition, layout, quality

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def dataset(max_ratio, rules=()):
    return definition.parse({
        "id": "conformance.reject_ratio_exceeded", "source": {"format": "csv"},
        "columns": [{"name": "id", "type": "int64", "nullable": False}, {"name": "amount", "type": "decimal(10,2)"}],
        "quality": {"maxRejectRatio": max_ratio, "rules": list(rules)}, "table": {"format": "hive"},
    })


class RejectBudget(unittest.TestCase):
    def test_the_csharp_message_with_the_most_frequent_reason_keys(self):
        d = dataset(0.25, [{"type": "range", "column": "amount", "min": 0}])
        counts = {'amount: "x" is not a decimal(10,2)': 1, 'amount: "y" is not a decimal(10,2)': 1, 'range(amount): "-1" is outside [0, ∞)': 1}
        self.assertEqual(quality.reject_budget(d, 6, 3, 0, counts),
                         "Dataset conformance.reject_ratio_exceeded: 3 of 6 rows were rejected (50.0 %), above quality.maxRejectRatio 25.0 %; "
                         "nothing was published. Most frequent: amount: not a decimal(10,2) (2); range(amount) (1).")

    def test_lines_an_unclosed_quote_took_in_count_against_the_budget(self):
        # 1 rejected of 10 is 10 %, within 20 %; with the 4 further lines the record absorbed it is 5 of 14.
        d = dataset(0.2)
        reasons = {"a quoted field opened on line 9 is never closed: the record absorbed 5 lines (9 to 13), each counted …": 1}
        self.assertIsNone(quality.reject_budget(d, 10, 1, 0, reasons))
        self.assertEqual(quality.reject_budget(d, 10, 1, 4, reasons),
                         "Dataset conformance.reject_ratio_exceeded: 1 of 10 rows were rejected (35.7 % (counting the 4 further lines that rejected records "
                         "took in)), above quality.maxRejectRatio 20.0 %; nothing was published. Most frequent: a quoted field opened on line 9 is never closed (1).")

    def test_within_the_budget_or_nothing_rejected(self):
        self.assertIsNone(quality.reject_budget(dataset(0.5), 4, 2, 0, {"ragged row: 2 fields, expected 3": 2}))
        self.assertIsNone(quality.reject_budget(dataset(0), 0, 0, 0, {}))

    def test_reason_keys(self):
        self.assertEqual(quality.reason_key("ragged row: 4 fields, expected 3"), "ragged row")
        self.assertEqual(quality.reason_key("required: missing value in a required column"), "required: missing required value")
        self.assertEqual(quality.reason_key("country: partition value \"a/b\" …"), "unsafe partition value")
        self.assertEqual(quality.reason_key("duplicate key (3) within this run; merge keeps one row per key"), "duplicate key within run")
        self.assertEqual(quality.reason_key("invalid JSON: expected a property name at character 9"), "invalid JSON")
        self.assertEqual(quality.reason_key("the line is a JSON array, not an object"), "the line is a JSON array, not an object")


class KeptApart(unittest.TestCase):
    """A failed run's rejects: the same place and sentence as the C# engine's (DatasetLayout, RunWork)."""

    def test_the_place_is_datasetlayouts(self):
        with open(os.path.join(ROOT, "src", "Ingest", "Storage", "DatasetLayout.cs"), encoding="utf-8") as f:
            source = f.read()
        root = re.search(r'FailedRunsRoot = "([^"]+)"', source).group(1)
        self.assertIn('$"{FailedRunsRoot}/{dataset.Domain}/{dataset.Name}/{runId}/"', source)
        self.assertEqual(layout.failed_run_rejects_prefix("sales.orders", "r1"), f"{root}/sales/orders/r1/")

    def test_the_sentence_is_the_csharp_one(self):
        # tests/Ingest.Tests/Engine/NoSilentLossTests.cs expects this sentence after the budget message.
        d = dataset(0.25)
        self.assertEqual(quality.kept_apart_note(d, 4, layout.failed_run_rejects_prefix(d["id"], "run-7"), "run-7"),
                         " The 4 rejected rows are kept apart, unpublished, under quarantine/_failed_runs/conformance/reject_ratio_exceeded/run-7 "
                         "(ingest rejects conformance.reject_ratio_exceeded --run run-7).")
        with open(os.path.join(ROOT, "src", "Ingest", "Engine", "RunWork.cs"), encoding="utf-8") as f:
            self.assertIn('rejected rows are kept apart, unpublished, under {LakeZone.Quarantine}/{keptPrefix.TrimEnd(\'/\')} (ingest rejects', f.read())


class FailRule(unittest.TestCase):
    def test_the_csharp_message_names_file_line_and_column(self):
        d = dataset(1)
        rule = {"type": "unique", "columns": ["id"], "action": "fail"}
        reason = 'unique(id): ("1") repeats a value seen earlier in this run'
        self.assertEqual(quality.fail_rule_error(d, rule, "rows.csv", 4, reason),
                         'rows.csv line 4, column "id": rule unique(id): ("1") repeats a value seen earlier in this run; '
                         "the rule's action is fail, so the run of conformance.reject_ratio_exceeded stops and publishes nothing.")


if __name__ == "__main__":
    unittest.main()
