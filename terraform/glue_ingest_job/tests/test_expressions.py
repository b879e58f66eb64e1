import unittest

from ingest_core import definition, expressions
from tests.test_definition import example


class Casts(unittest.TestCase):
    def setUp(self):
        self.orders = definition.parse(example("sales.orders.json"))
        self.ledger = definition.parse(example("finance.ledger_entries.json"))

    def column(self, d, name):
        return next(c for c in d["columns"] if c["name"] == name)

    def test_spark_types(self):
        self.assertEqual([expressions.spark_type(t) for t in ("int32", "int64", "decimal(18,2)", "timestamp", "date", "boolean")],
                         ["INT", "BIGINT", "DECIMAL(18,2)", "TIMESTAMP", "DATE", "BOOLEAN"])

    def test_null_markers_become_null_before_the_cast(self):
        sql = expressions.cast_expression(self.column(self.orders, "order_id"), self.orders["source"])
        self.assertTrue(sql.startswith("CASE WHEN (`OrderId` IS NULL OR `OrderId` IN ('', 'NULL')) THEN NULL"))
        self.assertTrue(sql.endswith("AS `order_id`"))
        self.assertIn("try_cast(`OrderId` AS BIGINT)", sql)

    def test_timestamps_in_a_local_zone_are_stored_in_utc(self):
        sql = expressions.cast_expression(self.column(self.orders, "ordered_at"), self.orders["source"])
        self.assertIn("to_utc_timestamp(try_to_timestamp(`OrderDate`, 'yyyy-MM-dd HH:mm:ss'), 'Europe/Berlin')", sql)

    def test_german_numbers_and_dates(self):
        amount = expressions.cast_expression(self.column(self.ledger, "amount"), self.ledger["source"])
        self.assertIn("replace(replace(`betrag`, '.', ''), ',', '.')", amount)
        self.assertIn("DECIMAL(15,2)", amount)
        posting = expressions.cast_expression(self.column(self.ledger, "posting_date"), self.ledger["source"])
        self.assertIn("coalesce(to_date(try_to_timestamp(`buchungsdatum`, 'dd.MM.yyyy')), to_date(try_to_timestamp(`buchungsdatum`, 'dd.MM.yy')))", posting)
        self.assertIn("IN ('', '-')", posting)

    def test_dotnet_formats_become_spark_patterns(self):
        self.assertEqual(expressions.spark_datetime_pattern("yyyy-MM-dd HH:mm:ss.fff"), "yyyy-MM-dd HH:mm:ss.SSS")
        self.assertEqual(expressions.spark_datetime_pattern("yyyy-MM-dd'T'HH:mm:ssK"), "yyyy-MM-dd'T'HH:mm:ssXXX")
        self.assertEqual(expressions.spark_datetime_pattern("dd.MM.yyyy hh:mm tt"), "dd.MM.yyyy hh:mm a")

    def test_conversion_errors_name_the_column_value_and_type(self):
        sql = expressions.conversion_error(self.column(self.orders, "order_id"), self.orders["source"])
        self.assertIn("concat('order_id: \"', `OrderId`, '\" is not a int64')", sql)
        self.assertIn("'order_id: missing value in a required column'", sql, "a required column rejects nulls")
        optional = expressions.conversion_error(self.column(self.orders, "currency"), self.orders["source"])
        self.assertNotIn("missing", optional)

    def test_sql_strings_escape_quotes_and_backslashes(self):
        self.assertEqual(expressions.sql_string("it's \\d"), "'it\\'s \\\\d'")


class Rules(unittest.TestCase):
    def setUp(self):
        self.orders = definition.parse(example("sales.orders.json"))
        self.customers = definition.parse(example("sales.customers.json"))

    def test_range_rules_are_typed_and_let_nulls_pass(self):
        condition, reason = expressions.rule_check(self.orders["quality"]["rules"][1], self.orders)
        self.assertEqual(condition, "`total_amount` IS NOT NULL AND (`total_amount` < CAST('0' AS DECIMAL(18,2)) OR `total_amount` > CAST('1000000' AS DECIMAL(18,2)))")
        self.assertIn("range(total_amount): ", reason)
        self.assertIn("is outside [0, 1000000]", reason)
        condition, _ = expressions.rule_check(self.orders["quality"]["rules"][2], self.orders)
        self.assertIn("CAST('2015-01-01T00:00:00Z' AS TIMESTAMP)", condition)

    def test_regex_rules_match_the_whole_value(self):
        condition, reason = expressions.rule_check(self.customers["quality"]["rules"][1], self.customers)
        self.assertIn("RLIKE '^(?:[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+)$'", condition)
        self.assertIn("email_shape: ", reason)

    def test_allowed_values_and_not_null(self):
        condition, reason = expressions.rule_check(self.orders["quality"]["rules"][3], self.orders)
        self.assertIn("NOT (`status` IN ('open', 'paid', 'shipped', 'cancelled', 'returned'))", condition)
        self.assertIn("is not one of open, paid, shipped, cancelled, returned", reason)
        condition, reason = expressions.rule_check(self.customers["quality"]["rules"][0], self.customers)
        self.assertEqual(condition, "`country` IS NULL")
        self.assertEqual(reason, "'not-null(country): the value is missing'")

    def test_unique_rules_flag_every_repeat_after_the_first_in_input_order(self):
        condition, reason = expressions.unique_check(self.orders["quality"]["rules"][0])
        self.assertEqual(condition, "`order_id` IS NOT NULL AND row_number() OVER (PARTITION BY `order_id` ORDER BY `_source_file`, `_source_line`) > 1")
        self.assertIn("repeats a value seen earlier in this run", reason)
        with self.assertRaises(ValueError):
            expressions.rule_check(self.orders["quality"]["rules"][0], self.orders)

    def test_unique_rules_see_only_the_rows_that_reach_the_rules(self):
        condition, _ = expressions.unique_check(self.orders["quality"]["rules"][0], ("_input", "_source_line"), "_pre_reason IS NULL")
        self.assertEqual(condition, "(_pre_reason IS NULL) AND `order_id` IS NOT NULL AND "
                                    "row_number() OVER (PARTITION BY `order_id`, (_pre_reason IS NULL) ORDER BY `_input`, `_source_line`) > 1")


class DecimalPlaces(unittest.TestCase):
    def test_a_decimal_with_more_places_than_its_scale_is_not_one(self):
        # RowProcessor.FitsDecimal: 1.005 is not a decimal(10,2) (try_cast would round it to 1.01); 1.500 is.
        import re
        two, none = re.compile(expressions.decimal_pattern(2)), re.compile(expressions.decimal_pattern(0))
        self.assertEqual([bool(two.match(t)) for t in ("1.005", "1.50", "1.500", "-0.01", ".5", "12.", "1.0050", ".", "1e3", "1.2.3")],
                         [False, True, True, True, True, True, False, False, False, False])
        self.assertEqual([bool(none.match(t)) for t in ("7", "7.0", "7.5", ".0", "-3.")], [True, True, False, True, True])
        self.assertIn("RLIKE '^[+-]?([0-9]+([.][0-9]{0,2}0*)?|[.](?=[0-9])[0-9]{0,2}0*)$'", expressions.typed_value("`m`", "decimal(10,2)", {"decimalSeparator": "."}))


class BooleansOnDuckDB(unittest.TestCase):
    def test_the_texts_the_csharp_engine_reads_as_booleans(self):
        # ValueConverter.TryParseBoolean's words, run on DuckDB (tests/duckdb_sql.py), the most faithful SQL executor here.
        from tests.duckdb_sql import DuckDB, spark_to_duckdb
        db = DuckDB()
        try:
            texts = ["true", "YES", " y ", "T", "1", "false", "No", "n", "F", "0", "maybe", "10", "ja"]
            values = ", ".join(f"({i}, '{t}')" for i, t in enumerate(texts))
            value = expressions.typed_value("`b`", "boolean", {})
            got = db.query(spark_to_duckdb(f"SELECT CAST({value} AS VARCHAR) FROM (VALUES {values}) AS v(i, b) ORDER BY i"))
        finally:
            db.close()
        self.assertEqual([r[0] for r in got], ["true"] * 5 + ["false"] * 5 + [None] * 3)


if __name__ == "__main__":
    unittest.main()
