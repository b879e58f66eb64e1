import datetime
import unittest

from ingest_core import definition, layout
from tests.test_definition import example

DAY = datetime.date(2024, 5, 1)
RUN = "20240501T101500Z-1a2b3c4d"


class Keys(unittest.TestCase):
    def test_keys_match_dataset_layout(self):
        self.assertEqual(layout.dataset_prefix("sales.orders"), "sales/orders/")
        self.assertEqual(layout.staging_prefix("sales.orders", RUN), f"_staging/sales/orders/{RUN}/")
        self.assertEqual(layout.raw_key("sales.orders", DAY, RUN, layout.safe_file_name("C:\\exports\\orders 2024-05-01.csv")),
                         f"sales/orders/ingest_date=2024-05-01/{RUN}/orders_2024-05-01.csv")
        self.assertEqual(layout.curated_key("sales.orders", "ordered_at_day=2024-05-01/", RUN, 0),
                         f"sales/orders/ordered_at_day=2024-05-01/part-{RUN}-00000.parquet")
        self.assertEqual(layout.quarantine_key("sales.orders", DAY, RUN, 3), f"sales/orders/ingest_date=2024-05-01/rejects-{RUN}-00003.parquet")

    def test_safe_file_names(self):
        self.assertEqual(layout.safe_file_name("../..hidden"), "hidden")
        self.assertEqual(layout.safe_file_name("überweisung.csv"), "_berweisung.csv")
        self.assertEqual(layout.safe_file_name("..."), "input")
        self.assertEqual(len(layout.safe_file_name("x" * 300)), 120)

    def test_run_ids(self):
        self.assertTrue(layout.is_run_id(RUN))
        self.assertFalse(layout.is_run_id("2024-05-01"))


class Partitions(unittest.TestCase):
    def test_day_partitions_of_utc_timestamps(self):
        orders = definition.parse(example("sales.orders.json"))
        row = {"ordered_at": datetime.datetime(2024, 4, 30, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-2)))}
        self.assertEqual(layout.partition_path(orders, row, DAY), "ordered_at_day=2024-05-01/")

    def test_ingest_date_and_identity_partitions(self):
        stock = definition.parse(example("inventory.stock_levels.json"))
        self.assertEqual(layout.partition_path(stock, {"warehouse_id": "HAM-1"}, DAY), "ingest_date=2024-05-01/warehouse_id=HAM-1/")
        self.assertEqual(layout.partition_path(stock, {"warehouse_id": None}, DAY), "ingest_date=2024-05-01/warehouse_id=__HIVE_DEFAULT_PARTITION__/")
        # Encoded as Hive and Spark do: a path separator stays inside its folder, parentheses are text like any other.
        self.assertEqual(layout.partition_path(stock, {"warehouse_id": "../etc"}, DAY), "ingest_date=2024-05-01/warehouse_id=..%2Fetc/")
        self.assertEqual(layout.partition_path(stock, {"warehouse_id": "Mass movement (dry)"}, DAY),
                         "ingest_date=2024-05-01/warehouse_id=Mass movement (dry)/")
        with self.assertRaisesRegex(ValueError, 'warehouse_id: partition value "" cannot be a folder name: an empty text reads back as null'):
            layout.partition_path(stock, {"warehouse_id": ""}, DAY)

    def test_partition_values_are_encoded_and_decoded_as_hive_does(self):
        value = 'a/b=c%d:e?"f#g\'h*i\\j{k[l]m^n\x7f\x01 (dry) ü'
        encoded = layout.encode_partition_value(value)
        self.assertEqual(encoded, "a%2Fb%3Dc%25d%3Ae%3F%22f%23g%27h%2Ai%5Cj%7Bk%5Bl%5Dm%5En%7F%01 (dry) ü")
        self.assertEqual(layout.decode_partition_value(encoded), value)
        self.assertEqual(layout.partition_values("region=Mass movement (dry)/code=a%2Fb/"), ["Mass movement (dry)", "a/b"])
        self.assertEqual(layout.decode_partition_value("100%"), "100%")
        with self.assertRaisesRegex(ValueError, "NUL"):
            layout.encode_partition_value("a\x00b")
        with self.assertRaisesRegex(ValueError, "longer than 512 bytes"):
            layout.encode_partition_value("/" * 171)

    def test_month_partitions(self):
        entries = definition.parse(example("finance.ledger_entries.json"))
        self.assertEqual(layout.partition_path(entries, {"posting_date": datetime.date(2024, 2, 29)}, DAY), "posting_month=2024-02/")
        self.assertEqual(layout.partition_spark_expression(entries["partitioning"][0]), "date_format(`posting_date`, 'yyyy-MM')")

    def test_file_and_partition_columns(self):
        customers = definition.parse(example("sales.customers.json"))
        names = [c["name"] for c in layout.curated_file_columns(customers)]
        self.assertNotIn("country", names, "identity partition columns live only in folder names")
        self.assertEqual(names[-4:], ["_ingest_run_id", "_source_file", "_source_line", "_ingested_at"])
        self.assertEqual(layout.partition_columns(customers), [{"name": "country", "type": "string", "nullable": False}])
        orders = definition.parse(example("sales.orders.json"))
        self.assertIn("ordered_at", [c["name"] for c in layout.curated_file_columns(orders)], "transform partitions keep the source column")
        self.assertEqual(layout.partition_columns(orders)[0]["type"], "date")
        quarantine = layout.quarantine_file_columns(orders)
        self.assertTrue(all(c["type"] == "string" for c in quarantine[:8]))
        self.assertEqual([c["name"] for c in quarantine[8:]], ["_reason", "_raw_record", "_ingest_run_id", "_source_file", "_source_line", "_ingested_at"])

    def test_glue_types(self):
        self.assertEqual([layout.glue_type(t) for t in ("int32", "int64", "decimal(12,2)", "timestamp")], ["int", "bigint", "decimal(12,2)", "timestamp"])


if __name__ == "__main__":
    unittest.main()


class CatalogTable(unittest.TestCase):
    def test_projection_parameters_are_those_of_the_csharp_catalog(self):
        # The case of tests/Ingest.Aws.Tests/Glue/GlueCatalogTests.cs (Build_Projection_AddsPropertiesPerTransform).
        from ingest_core import definition as definitions
        d = definitions.parse({
            "id": "sales.orders", "source": {"format": "csv"},
            "columns": [{"name": "id", "type": "int64"}, {"name": "ordered_at", "type": "timestamp"}, {"name": "country", "type": "string"}],
            "partitioning": [{"transform": "ingest-date"}, {"column": "ordered_at", "transform": "month"},
                             {"column": "ordered_at", "transform": "year"}, {"column": "country"}],
            "catalog": {"partitionStrategy": "projection"}})
        parameters = layout.table_parameters(d, 1, "fp", "s3://lake/curated/sales/orders/")
        expected = {
            "projection.enabled": "true",
            "projection.ingest_date.type": "date", "projection.ingest_date.format": "yyyy-MM-dd",
            "projection.ingest_date.range": "2000-01-01,NOW", "projection.ingest_date.interval.unit": "DAYS",
            "projection.ordered_at_month.type": "date", "projection.ordered_at_month.format": "yyyy-MM",
            "projection.ordered_at_year.type": "integer", "projection.country.type": "injected",
            "storage.location.template": "s3://lake/curated/sales/orders/ingest_date=${ingest_date}/ordered_at_month=${ordered_at_month}/"
                                         "ordered_at_year=${ordered_at_year}/country=${country}/",
            "ingest.dataset": "sales.orders", "ingest.definition_version": "1", "ingest.fingerprint": "fp",
        }
        self.assertEqual({k: parameters[k] for k in expected}, expected)
        d["catalog"]["partitionStrategy"] = "register"
        self.assertNotIn("projection.enabled", layout.table_parameters(d, 1, "fp", "s3://lake/curated/sales/orders/"))

    def test_writer_options_carry_the_row_group_size(self):
        from ingest_core import definition as definitions
        d = definitions.parse(example("inventory.stock_levels.json"))
        self.assertEqual(layout.parquet_writer_options(d), {"compression": "snappy", "parquet.block.size": str(128 * 1024 * 1024)})


class PartitionProblems(unittest.TestCase):
    def test_the_first_value_without_a_folder_form_is_the_reason_and_nulls_pass(self):
        self.assertIsNone(layout.partition_problem(["a", "b"], [None, "x/y"]))
        self.assertEqual(layout.partition_problem(["a", "b"], ["ok", "__HIVE_DEFAULT_PARTITION__"]),
                         'b: partition value "__HIVE_DEFAULT_PARTITION__" cannot be a folder name: it is the folder name of null values (__HIVE_DEFAULT_PARTITION__)')
        self.assertIn("an empty text reads back as null", layout.partition_problem(["a"], [""]))
