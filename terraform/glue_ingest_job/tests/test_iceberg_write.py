"""The Iceberg write of the Glue job (ingest_core.iceberg_write): the Spark catalog settings the Terraform deploys, the
table DDL, the write plan of each mode with its snapshot properties, and the MERGE INTO statement and the duplicate-key
rule executed on DuckDB (tests/duckdb_sql.py) over the conformance case merge_two_runs."""

import copy
import csv
import io
import json
import os
import re
import unittest

from ingest_core import definition as definitions
from ingest_core import iceberg_write, layout
from tests.duckdb_sql import DuckDB, spark_to_duckdb

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CASES = os.path.join(ROOT, "tests", "conformance", "cases")
MAIN_TF = os.path.join(ROOT, "terraform", "glue_ingest_job", "modules", "glue_job", "main.tf")
RUN_1, RUN_2 = "20260115T100000Z-00000001", "20260116T100000Z-00000002"


def case_definition(name, **changes):
    with open(os.path.join(CASES, name, "definition.json"), encoding="utf-8") as f:
        document = json.load(f)
    document.update(changes)
    return definitions.parse(document)


def case_rows(name, file):
    """The rows of a case's CSV input with their physical line (header = line 1)."""
    with open(os.path.join(CASES, name, file), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    return [dict(r, _source_file=file, _source_line=i + 2) for i, r in enumerate(rows)]


class SparkCatalog(unittest.TestCase):
    def test_the_job_arguments_configure_the_glue_catalog_with_s3fileio(self):
        with open(MAIN_TF, encoding="utf-8") as f:
            text = f.read()
        conf = re.search(r'^\s*"--conf"\s*=\s*"(.*)"\s*$', text, re.M).group(1)
        self.assertEqual(conf, iceberg_write.conf_argument('s3://${var.zone_buckets["curated"]}/'))
        self.assertRegex(text, r'"--datalake-formats"\s*=\s*"iceberg"')
        settings = dict(iceberg_write.spark_conf("s3://curated/"))
        self.assertEqual(settings["spark.sql.catalog.glue_catalog"], "org.apache.iceberg.spark.SparkCatalog")
        self.assertEqual(settings["spark.sql.catalog.glue_catalog.catalog-impl"], "org.apache.iceberg.aws.glue.GlueCatalog")
        self.assertEqual(settings["spark.sql.catalog.glue_catalog.io-impl"], "org.apache.iceberg.aws.s3.S3FileIO")
        self.assertEqual(settings["spark.sql.extensions"], iceberg_write.EXTENSIONS, "MERGE INTO needs Iceberg's SQL extensions")

    def test_a_changed_catalog_setting_no_longer_matches_the_terraform(self):
        # Mutation check: the comparison above notices one setting that differs.
        with open(MAIN_TF, encoding="utf-8") as f:
            conf = re.search(r'^\s*"--conf"\s*=\s*"(.*)"\s*$', f.read(), re.M).group(1)
        self.assertNotEqual(conf.replace("S3FileIO", "HadoopFileIO"), iceberg_write.conf_argument('s3://${var.zone_buckets["curated"]}/'))


class Table(unittest.TestCase):
    def test_the_table_is_the_in_process_engines_name_location_columns_and_spec(self):
        d = case_definition("partition_transforms", table={"format": "iceberg"}, write={"compression": "none"})
        self.assertEqual(iceberg_write.table_identifier(d), "glue_catalog.`conformance`.`partition_transforms`")
        self.assertEqual(iceberg_write.table_name(d), "glue_catalog.conformance.partition_transforms")
        location = iceberg_write.table_location("lake-curated", d["id"])
        self.assertEqual(location, "s3://lake-curated/conformance/partition_transforms")
        sql = iceberg_write.create_table_sql(d, location)
        self.assertEqual(sql, (
            "CREATE TABLE IF NOT EXISTS glue_catalog.`conformance`.`partition_transforms` ("
            "`id` BIGINT NOT NULL, `country` STRING, `at` TIMESTAMP, `d` DATE, `_ingest_run_id` STRING NOT NULL, "
            "`_source_file` STRING NOT NULL, `_source_line` BIGINT NOT NULL, `_ingested_at` TIMESTAMP NOT NULL) USING iceberg "
            "PARTITIONED BY (years(`d`), months(`d`), days(`at`), `country`, days(`_ingested_at`)) "
            "LOCATION 's3://lake-curated/conformance/partition_transforms' TBLPROPERTIES ('format-version'='2', "
            "'write.format.default'='parquet', 'write.parquet.compression-codec'='uncompressed', 'ingest.dataset'='conformance.partition_transforms', "
            "'history.expire.max-snapshot-age-ms'='604800000', 'history.expire.min-snapshots-to-keep'='5')"))
        # An Iceberg table keeps identity partition columns in its files (DatasetLayout.CuratedFileColumns); Hive does not.
        hive = case_definition("partition_transforms")
        self.assertNotIn("country", [c["name"] for c in layout.curated_file_columns(hive)])

    def test_the_column_list_is_ddl_duckdb_executes(self):
        d = case_definition("partition_transforms", table={"format": "iceberg"})
        sql = iceberg_write.create_table_sql(d, "s3://b/x")
        db = DuckDB()
        try:
            db.query("ATTACH ':memory:' AS glue_catalog")
            db.query("CREATE SCHEMA glue_catalog.conformance")
            db.query(spark_to_duckdb(sql.split(" USING iceberg")[0]))
            columns = db.query("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                               "WHERE table_name = 'partition_transforms' ORDER BY ordinal_position")
        finally:
            db.close()
        self.assertEqual(columns[0], ["id", "BIGINT", "NO"])
        self.assertEqual([c[0] for c in columns], [c["name"] for c in layout.curated_file_columns(d)])

    def test_a_newer_definition_adds_its_columns(self):
        d = case_definition("merge_two_runs", table={"format": "iceberg"})
        present = [c["name"] for c in layout.curated_file_columns(d)]
        self.assertIsNone(iceberg_write.add_columns_sql(d, present))
        self.assertEqual(iceberg_write.add_columns_sql(d, [n for n in present if n != "name"]),
                         "ALTER TABLE glue_catalog.`conformance`.`merge_two_runs` ADD COLUMNS (`name` STRING)")


class WritePlan(unittest.TestCase):
    SOURCES = [{"sha256": "a" * 64}, {"sha256": "b" * 64, "skipped": True}, {"sha256": "c" * 64, "skipped": False}]

    def plan(self, mode, **changes):
        d = case_definition("merge_two_runs", table={"format": "iceberg"}, write={"mode": mode, **changes})
        return d, iceberg_write.write_plan(d, RUN_2, 3, self.SOURCES)

    def test_the_snapshot_carries_the_run_id_inputs_and_version_as_the_csharp_engine_writes_them(self):
        # Names of src/Ingest/Engine/Tables/IcebergTable.cs (RunIdProperty, InputsProperty, DefinitionVersionProperty).
        with open(os.path.join(ROOT, "src", "Ingest", "Engine", "Tables", "IcebergTable.cs"), encoding="utf-8") as f:
            source = f.read()
        for name, value in (("RunIdProperty", iceberg_write.RUN_ID_PROPERTY), ("InputsProperty", iceberg_write.INPUTS_PROPERTY),
                            ("DefinitionVersionProperty", iceberg_write.DEFINITION_VERSION_PROPERTY)):
            self.assertIn(f'public const string {name} = "{value}";', source)
        self.assertEqual(iceberg_write.snapshot_properties(RUN_2, 3, self.SOURCES), {
            "ingest.run-id": RUN_2, "ingest.inputs": "a" * 64 + "," + "c" * 64, "ingest.definition-version": "3"})

    def test_append_and_overwrite_partitions_are_writer_calls_with_snapshot_property_options(self):
        for mode, method in (("append", "append"), ("overwrite-partitions", "overwritePartitions")):
            with self.subTest(mode=mode):
                _, plan = self.plan(mode, compression="zstd")
                self.assertEqual(plan, {"method": method, "options": {
                    "snapshot-property.ingest.run-id": RUN_2,
                    "snapshot-property.ingest.inputs": "a" * 64 + "," + "c" * 64,
                    "snapshot-property.ingest.definition-version": "3",
                    "compression-codec": "zstd"}})

    def test_merge_is_one_merge_into_on_the_keys_with_commit_properties(self):
        d, plan = self.plan("merge")
        self.assertEqual(plan["method"], "merge")
        self.assertEqual(plan["commitProperties"], iceberg_write.snapshot_properties(RUN_2, 3, self.SOURCES))
        self.assertEqual(plan["sql"], (
            "MERGE INTO glue_catalog.`conformance`.`merge_two_runs` t USING `ingest_run_rows` s ON t.`id` = s.`id` "
            "WHEN MATCHED THEN UPDATE SET `id` = s.`id`, `name` = s.`name`, `_ingest_run_id` = s.`_ingest_run_id`, "
            "`_source_file` = s.`_source_file`, `_source_line` = s.`_source_line`, `_ingested_at` = s.`_ingested_at` "
            "WHEN NOT MATCHED THEN INSERT (`id`, `name`, `_ingest_run_id`, `_source_file`, `_source_line`, `_ingested_at`) "
            "VALUES (s.`id`, s.`name`, s.`_ingest_run_id`, s.`_source_file`, s.`_source_line`, s.`_ingested_at`)"))
        two = copy.deepcopy(d)
        two["columns"].append({"name": "region", "type": "string", "nullable": False, "optional": False})
        two["keys"] = ["id", "region"]
        self.assertIn("ON t.`id` = s.`id` AND t.`region` = s.`region` WHEN", iceberg_write.merge_sql(two))
        two["keys"] = []
        with self.assertRaisesRegex(ValueError, r"merge needs keys \(\$\.keys\)"):
            iceberg_write.merge_sql(two)

    def test_hive_overwrite_replaces_the_objects_of_the_partitions_written(self):
        d = case_definition("overwrite_partitions_two_runs")
        existing = ["conformance/overwrite_partitions_two_runs/country=DE/part-1.parquet",
                    "conformance/overwrite_partitions_two_runs/country=FR/part-1.parquet",
                    "conformance/overwrite_partitions_two_runs/country=DEU/part-1.parquet"]
        self.assertEqual(iceberg_write.hive_replaced_keys(d, existing, ["country=DE/"], 1), existing[:1])
        self.assertEqual(iceberg_write.hive_replaced_keys(d, existing, ["country=DE/"], 0), [], "a run without rows replaces nothing")
        flat = case_definition("merge_two_runs", write={"mode": "overwrite-partitions"}, keys=[])
        keys = ["conformance/merge_two_runs/part-1.parquet", "conformance/merge_two_runs_old/part-1.parquet"]
        self.assertEqual(iceberg_write.hive_replaced_keys(flat, keys, [], 2), keys[:1], "no partitioning: the whole dataset, not a neighbour")


class MergeOnDuckDB(unittest.TestCase):
    """merge_two_runs through the job's SQL: the duplicate-key reason over each run's rows, then MERGE INTO."""

    def setUp(self):
        self.d = case_definition("merge_two_runs", table={"format": "iceberg"})
        with open(os.path.join(CASES, "merge_two_runs", "expected.json"), encoding="utf-8") as f:
            self.expected = json.load(f)
        self.db = DuckDB()
        self.db.query("ATTACH ':memory:' AS glue_catalog")
        self.db.query("CREATE SCHEMA glue_catalog.conformance")
        self.db.query(spark_to_duckdb(iceberg_write.create_table_sql(self.d, "s3://b/x").split(" USING iceberg")[0]))

    def tearDown(self):
        self.db.close()

    def load_run(self, run_id, rows):
        """The run's checked rows (typed columns, lineage, _reason) as the table checked."""
        self.db.query("CREATE OR REPLACE TABLE checked (id BIGINT, name VARCHAR, _reason VARCHAR, _ingest_run_id VARCHAR, "
                      "_source_file VARCHAR, _source_line BIGINT, _ingested_at TIMESTAMP)")
        for r in rows:
            reason = "NULL" if r.get("_reason") is None else "'" + r["_reason"] + "'"
            self.db.query(f"INSERT INTO checked VALUES ({int(r['id'])}, '{r['name']}', {reason}, '{run_id}', '{r['_source_file']}', "
                          f"{r['_source_line']}, TIMESTAMP '2026-01-15 10:00:00')")
        self.db.query(spark_to_duckdb(f"CREATE OR REPLACE TABLE reasoned AS SELECT * EXCLUDE (_reason), {iceberg_write.duplicate_key_reason(self.d)} AS _reason FROM checked"))

    def merge(self, run_id, rows, deduplicate=True):
        self.load_run(run_id, rows)
        source = "reasoned WHERE _reason IS NULL" if deduplicate else "checked WHERE _reason IS NULL"
        self.db.query(f"CREATE OR REPLACE VIEW {iceberg_write.SOURCE_VIEW} AS SELECT * EXCLUDE (_reason) FROM {source}")
        self.db.query(spark_to_duckdb(iceberg_write.write_plan(self.d, run_id, 1, [])["sql"]))
        return self.db.query("SELECT _source_line, id, name, _reason FROM reasoned WHERE _reason IS NOT NULL ORDER BY _source_line")

    def curated(self):
        runs = {RUN_1: 1, RUN_2: 2}
        rows = self.db.query('SELECT _ingest_run_id, _source_file, _source_line, id, name FROM glue_catalog.conformance.merge_two_runs')
        return sorted(({"_run": runs[r[0]], "_source_file": r[1], "_source_line": int(r[2]), "id": r[3], "name": r[4]} for r in rows),
                      key=lambda r: (r["_run"], r["_source_file"], r["_source_line"]))

    def test_two_runs_give_the_curated_and_quarantined_rows_of_the_csharp_engine(self):
        self.assertEqual(self.merge(RUN_1, case_rows("merge_two_runs", "first.csv")), [])
        rejected = self.merge(RUN_2, case_rows("merge_two_runs", "second.csv"))

        self.assertEqual(self.curated(), self.expected["curated"])
        self.assertEqual([{"_run": 2, "_source_file": "second.csv", "_source_line": int(line), "_reason": reason, "_raw_record": None, "id": key, "name": name}
                          for line, key, name, reason in rejected], self.expected["quarantine"])  # rejected after reading: no raw text

    def test_without_the_duplicate_key_rule_the_merge_differs(self):
        # Mutation check: the run's repeated key reaches MERGE INTO, which DuckDB (like Spark) refuses or which
        # leaves another row than the C# engine's.
        self.merge(RUN_1, case_rows("merge_two_runs", "first.csv"))
        try:
            self.merge(RUN_2, case_rows("merge_two_runs", "second.csv"), deduplicate=False)
        except RuntimeError as error:
            self.assertIn("DuckDB", str(error))
        else:
            self.assertNotEqual(self.curated(), self.expected["curated"])

    def test_a_rejected_row_does_not_claim_its_key(self):
        rows = [{"id": "7", "name": "bad", "_reason": "range(id): ...", "_source_file": "a.csv", "_source_line": 2},
                {"id": "7", "name": "good", "_source_file": "a.csv", "_source_line": 3},
                {"id": "7", "name": "late", "_source_file": "b.csv", "_source_line": 2}]
        rejected = self.merge(RUN_1, rows)
        self.assertEqual(self.db.query("SELECT name, _source_line FROM glue_catalog.conformance.merge_two_runs"), [["good", "3"]])
        self.assertEqual([r[0] for r in rejected], ["2", "2"])
        self.assertEqual(sorted(r[3] for r in rejected), ["duplicate key (7) within this run; merge keeps one row per key", "range(id): ..."])


if __name__ == "__main__":
    unittest.main()
