import copy
import glob
import json
import os
import unittest

from ingest_core import definition

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "docs", "examples", "*.json")))


def example(name):
    with open(os.path.join(ROOT, "docs", "examples", name), encoding="utf-8") as f:
        return json.load(f)


class ExampleDefinitions(unittest.TestCase):
    def test_every_shipped_example_parses(self):
        self.assertGreaterEqual(len(EXAMPLES), 4)
        for path in EXAMPLES:
            with self.subTest(path=os.path.basename(path)), open(path, encoding="utf-8") as f:
                parsed = definition.parse(f.read(), path)
                self.assertEqual(parsed["id"], os.path.basename(path)[:-5])

    def test_defaults_are_filled_in_as_the_reference_documents(self):
        d = definition.parse(example("sales.orders.json"))
        self.assertEqual(d["engine"]["kind"], "local")
        self.assertEqual(d["engine"]["glue"], {"glueVersion": "5.0", "workerType": "G.1X", "numberOfWorkers": 2, "timeoutMinutes": 60, "maxRetries": 1})
        self.assertEqual(d["source"]["encoding"], "utf-8")
        self.assertEqual(d["source"]["dateFormats"], ["yyyy-MM-dd"])
        self.assertEqual(d["write"]["rowGroupSizeMb"], 32)
        self.assertEqual(d["catalog"]["workgroup"], "analytics")
        self.assertTrue(d["columns"][4]["nullable"])
        self.assertEqual(d["quality"]["rules"][1]["action"], "reject")

    def test_glue_settings_come_from_the_definition(self):
        d = definition.parse(example("inventory.stock_levels.json"))
        self.assertEqual(d["engine"]["kind"], "glue")
        self.assertEqual(d["engine"]["glue"]["workerType"], "G.2X")
        self.assertEqual(d["engine"]["glue"]["numberOfWorkers"], 10)

    def test_partition_names_and_catalog_table(self):
        self.assertEqual([definition.partition_name(p) for p in definition.parse(example("sales.orders.json"))["partitioning"]], ["ordered_at_day"])
        self.assertEqual([definition.partition_name(p) for p in definition.parse(example("inventory.stock_levels.json"))["partitioning"]], ["ingest_date", "warehouse_id"])
        self.assertEqual(definition.catalog_table(definition.parse(example("sales.customers.json"))), ("crm", "customers"))
        self.assertEqual(definition.catalog_table(definition.parse(example("sales.orders.json"))), ("sales", "orders"))

    def test_rule_display_names_match_the_engine(self):
        rules = definition.parse(example("sales.orders.json"))["quality"]["rules"]
        self.assertEqual([definition.rule_display_name(r) for r in rules[:2]], ["unique(order_id)", "range(total_amount)"])
        self.assertEqual(definition.rule_display_name(rules[4]), "iso_currency")

    def test_column_types(self):
        self.assertEqual(definition.column_type("decimal(18,2)"), ("decimal", 18, 2))
        self.assertEqual(definition.column_type("int64"), ("int64",))
        self.assertIsNone(definition.column_type("varchar"))


class InvalidDefinitions(unittest.TestCase):
    def assert_problem(self, document, fragment):
        with self.assertRaises(definition.DefinitionError) as caught:
            definition.parse(document)
        self.assertTrue(any(fragment in p for p in caught.exception.problems), caught.exception.problems)

    def test_unknown_members_are_errors(self):
        d = example("sales.orders.json")
        d["columns"][0]["nulable"] = False
        self.assert_problem(d, "$.columns[0].nulable")

    def test_duplicate_members_are_errors(self):
        self.assert_problem('{"id": "a.b", "id": "a.c"}', "given twice")

    def test_merge_needs_keys_and_keys_must_be_required_columns(self):
        d = example("sales.orders.json")
        d["keys"] = []
        self.assert_problem(d, "merge needs keys")
        d = example("sales.orders.json")
        d["keys"] = ["currency"]
        self.assert_problem(d, "must be \"nullable\": false")

    def test_partition_transform_must_suit_the_column(self):
        d = example("sales.orders.json")
        d["partitioning"] = [{"column": "status", "transform": "day"}]
        self.assert_problem(d, "day does not apply to a string column")

    def test_bad_identifiers_types_and_zones(self):
        d = example("sales.orders.json")
        d["id"] = "Sales.Orders"
        d["columns"][1]["type"] = "decimal(40,2)"
        d["source"]["timeZone"] = "Mars/Olympus"
        document = copy.deepcopy(d)
        for fragment in ("$.id", "decimal precision", "Mars/Olympus"):
            self.assert_problem(document, fragment)

    def test_range_rule_needs_a_bound_and_glue_workers_are_bounded(self):
        d = example("inventory.stock_levels.json")
        d["quality"]["rules"][0] = {"type": "range", "column": "on_hand"}
        d["engine"]["glue"]["numberOfWorkers"] = 1
        self.assert_problem(d, "needs min or max")
        self.assert_problem(d, "numberOfWorkers")

    def test_streaming_and_ray_worker_types_are_refused_for_the_spark_job(self):
        for worker_type in ("G.025X", "Z.2X"):
            d = example("inventory.stock_levels.json")
            d["engine"]["glue"]["workerType"] = worker_type
            self.assert_problem(d, "$.engine.glue.workerType: one of G.1X, G.2X, G.4X, G.8X")


if __name__ == "__main__":
    unittest.main()


class MissingColumns(unittest.TestCase):
    def test_a_column_the_inputs_lack_fails_unless_optional(self):
        d = definition.parse({"id": "sales.costs", "source": {"format": "csv"}, "columns": [
            {"name": "id", "type": "int64"}, {"name": "cost_total", "type": "string", "sourceColumn": "Cost Total"},
            {"name": "note", "type": "string", "optional": True}]})
        self.assertEqual(
            definition.missing_columns(d, ["id", "Cost Total $"]),
            "the definition's column(s) 'cost_total' (sourceColumn 'Cost Total') are not in the inputs, which have 'Cost Total $', 'id'; "
            "nothing was written. Fix the files, set the column's sourceColumn, or mark the column \"optional\": true if some files lack it.")
        self.assertIsNone(definition.missing_columns(d, ["id", "Cost Total"]))

    def test_optional_needs_nullable(self):
        with self.assertRaisesRegex(definition.DefinitionError, r"\$\.columns\[0\]\.optional: an optional column must be nullable"):
            definition.parse({"id": "sales.costs", "source": {"format": "csv"}, "columns": [{"name": "id", "type": "int64", "nullable": False, "optional": True}]})


VALIDATOR_CS = os.path.join(ROOT, "src", "Ingest", "Definitions", "DefinitionValidator.cs")


class DatabaseSources(unittest.TestCase):
    def test_the_csharp_member_source_database_is_parsed(self):
        with open(os.path.join(ROOT, "docs", "examples", "database", "erp.invoices.json"), encoding="utf-8") as f:
            d = definition.parse(f.read())
        database = d["source"]["database"]
        self.assertEqual((database["provider"], database["table"], database["parallelism"]), ("postgresql", "billing.invoices", 2))
        self.assertEqual(database["cursor"], {"column": "changed_at", "lag": 60})
        self.assertEqual(database["commandTimeoutSeconds"], 0)
        self.assertIsNone(definition.parse(example("sales.orders.json"))["source"]["database"])

    def test_a_database_member_is_checked(self):
        with open(os.path.join(ROOT, "docs", "examples", "database", "erp.invoices.json"), encoding="utf-8") as f:
            document = json.load(f)
        document["source"]["database"]["cursor"]["lags"] = 1
        document["source"]["database"]["query"] = "SELECT 1"
        with self.assertRaises(definition.DefinitionError) as caught:
            definition.parse(document)
        self.assertIn("$.source.database.cursor.lags: 'lags' is not a member of the definition contract.", caught.exception.problems)
        document["source"]["database"]["cursor"].pop("lags")
        with self.assertRaises(definition.DefinitionError) as caught:
            definition.parse(document)
        self.assertEqual(caught.exception.problems, ["$.source.database: needs exactly one of table and query."])
        document = example("sales.orders.json")
        document["source"]["format"] = "database"
        with self.assertRaisesRegex(definition.DefinitionError, r"\$\.source\.database: is required when format is database"):
            definition.parse(document)


class GlueRefusals(unittest.TestCase):
    """What the Glue job cannot honour is refused when read, with the C# validator's path and message."""

    def problems(self, document):
        with self.assertRaises(definition.DefinitionError) as caught:
            definition.parse(document)
        return caught.exception.problems

    def on_glue(self, name="sales.orders.json"):
        d = example(name)
        d["engine"] = {"kind": "glue"}
        return d

    def test_each_unsupported_feature_names_its_member_and_the_fix(self):
        d = self.on_glue()  # merge, targetFileSizeMb 256
        self.assertEqual(self.problems(d), [
            "$.write.mode: the Glue job merges Iceberg tables only (MERGE INTO), not the files of a Hive table: set table.format to iceberg, "
            "or set engine.kind to local (the in-process engine does it).",
            "$.write.targetFileSizeMb: the Glue job does not size its files (Spark writes one file per task and partition): remove write.targetFileSizeMb, "
            "or set engine.kind to local (the in-process engine does it).",
        ])
        d["table"] = {"format": "iceberg"}  # merge into an Iceberg table is what the job does (ingest_core.iceberg_write)
        self.assertEqual([p.split(":", 1)[0] for p in self.problems(d)], ["$.write.targetFileSizeMb"])
        d = self.on_glue("inventory.stock_levels.json")
        # The job's reader (ingest_core.records) honours source.csv.maxQuotedFieldLines, so it is not refused.
        d["source"] = {"format": "csv", "csv": {"maxQuotedFieldLines": 3}}
        for table, mode in (("iceberg", "overwrite-partitions"), ("hive", "overwrite-partitions"), ("iceberg", "append")):
            d["table"] = {"format": table}
            d["write"]["mode"] = mode
            self.assertEqual(definition.parse(d)["source"]["csv"]["maxQuotedFieldLines"], 3, (table, mode))

    def test_a_database_source_runs_on_glue_and_sqlite_is_refused(self):
        with open(os.path.join(ROOT, "docs", "examples", "database", "erp.invoices.json"), encoding="utf-8") as f:
            d = json.load(f)
        d["engine"] = {"kind": "glue"}
        d["write"] = {"mode": "append"}
        self.assertEqual(definition.parse(d)["source"]["database"]["connection"], d["source"]["database"]["connection"])
        d["source"]["database"]["provider"] = "sqlite"
        self.assertEqual(self.problems(d), [
            "$.source.database.provider: the Glue job reads postgresql and sql-server over JDBC, not sqlite (a file on the machine that runs the "
            "in-process engine): move the data to one of those, or set engine.kind to local (the in-process engine does it)."])

    def test_the_same_definitions_pass_on_the_local_engine_and_the_glue_example_passes(self):
        self.assertEqual(definition.parse(example("sales.orders.json"))["write"]["mode"], "merge")
        self.assertEqual(definition.glue_refusals(definition.parse(example("inventory.stock_levels.json"))), [])

    def test_the_messages_are_the_csharp_validators(self):
        # Each message's fixed text (up to the first value) appears in DefinitionValidator.cs, and the shared tail is its Local.
        with open(VALIDATOR_CS, encoding="utf-8") as f:
            source = f.read()
        self.assertIn(f'const string Local = "{definition._LOCAL}";', source)
        d = definition.parse(example("inventory.stock_levels.json"))
        d["table"]["format"] = "hive"
        d["keys"] = ["warehouse_id"]
        d["write"].update(mode="merge", targetFileSizeMb=1)
        d["source"]["database"] = {"connection": "x", "provider": "sqlite"}
        d["source"]["csv"]["maxQuotedFieldLines"] = 2
        d["engine"]["glue"]["glueVersion"] = "4.0"
        refusals = definition.glue_refusals(d)
        self.assertEqual(len(refusals), 4)
        for problem in refusals:
            path, message = problem.split(": ", 1)
            fixed = message.split(" not merge")[0].split(" Glue 5.0")[0].split(", or set engine.kind")[0]
            with self.subTest(path=path):
                self.assertIn(f'error("{path}", $"{fixed}', source)


class DeployedGlueVersion(unittest.TestCase):
    def test_a_blank_or_numeric_version_is_refused_as_the_csharp_validator_refuses_it(self):
        with open(VALIDATOR_CS, encoding="utf-8") as f:
            self.assertIn('error("$.engine.glue.glueVersion", "is required (for example 5.0).");', f.read())
        for value, problem in ((" ", "$.engine.glue.glueVersion: is required (for example 5.0)."),
                               (5.0, '$.engine.glue.glueVersion: must be a string such as "5.0", not 5.0.')):
            d = example("inventory.stock_levels.json")
            d["engine"]["glue"]["glueVersion"] = value
            with self.subTest(value=value), self.assertRaises(definition.DefinitionError) as refused:
                definition.parse(d)
            self.assertIn(problem, refused.exception.problems)
            self.assertEqual([p for p in refused.exception.problems if p.startswith("$.engine.glue.glueVersion")], [problem], "one line, not two")

    def test_the_version_refused_against_is_the_deployed_one(self):
        with open(os.path.join(ROOT, "terraform", "glue_ingest_job", "modules", "glue_job", "main.tf"), encoding="utf-8") as f:
            self.assertIn(f'glue_version           = "{definition.DEPLOYED_GLUE_VERSION}"', f.read())
        with open(VALIDATOR_CS, encoding="utf-8") as f:
            self.assertIn(f'DeployedGlueVersion = "{definition.DEPLOYED_GLUE_VERSION}";', f.read())
